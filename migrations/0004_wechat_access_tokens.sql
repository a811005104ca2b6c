CREATE TABLE `wechat_access_tokens` (
	`appid` text PRIMARY KEY NOT NULL,
	`access_token` text NOT NULL,
	`refresh_at` integer NOT NULL
);
