CREATE TABLE `merchant_login_failures` (
	`account_id` text NOT NULL,
	`client` text NOT NULL,
	`failures` integer NOT NULL,
	`window_started_at` integer NOT NULL,
	`locked_until` integer,
	PRIMARY KEY(`account_id`, `client`),
	FOREIGN KEY (`account_id`) REFERENCES `merchant_accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `merchant_login_failures_locked_idx` ON `merchant_login_failures` (`account_id`,`locked_until`);