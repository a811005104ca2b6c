CREATE TABLE `group_buy_members` (
	`seat_id` text PRIMARY KEY NOT NULL,
	`room_id` text NOT NULL,
	`group_buy_id` text NOT NULL,
	`user_id` text NOT NULL,
	`order_id` text NOT NULL,
	`is_leader` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`room_id`) REFERENCES `group_buy_rooms`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `group_buy_members_order_idx` ON `group_buy_members` (`order_id`);--> statement-breakpoint
CREATE INDEX `group_buy_members_user_idx` ON `group_buy_members` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `group_buy_members_campaign_user_idx` ON `group_buy_members` (`group_buy_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `group_buy_members_room_idx` ON `group_buy_members` (`room_id`);--> statement-breakpoint
CREATE TABLE `group_buy_rooms` (
	`id` text PRIMARY KEY NOT NULL,
	`group_buy_id` text NOT NULL,
	`leader_user_id` text NOT NULL,
	`invite_code` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` integer NOT NULL,
	`final_size` integer,
	`simulated_count` integer DEFAULT 0 NOT NULL,
	`closed_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`group_buy_id`) REFERENCES `group_buys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `group_buy_rooms_invite_idx` ON `group_buy_rooms` (`invite_code`);--> statement-breakpoint
CREATE INDEX `group_buy_rooms_open_idx` ON `group_buy_rooms` (`group_buy_id`,`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `group_buy_skus` (
	`id` text PRIMARY KEY NOT NULL,
	`group_buy_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`group_price_fen` integer NOT NULL,
	FOREIGN KEY (`group_buy_id`) REFERENCES `group_buys`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "group_buy_skus_price_valid" CHECK("group_buy_skus"."group_price_fen" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `group_buy_skus_campaign_sku_idx` ON `group_buy_skus` (`group_buy_id`,`sku_id`);--> statement-breakpoint
CREATE TABLE `group_buys` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`product_id` text NOT NULL,
	`group_size` integer NOT NULL,
	`max_size` integer NOT NULL,
	`tiers` text NOT NULL,
	`leader_discount_fen` integer DEFAULT 0 NOT NULL,
	`duration_minutes` integer NOT NULL,
	`payment_window_minutes` integer NOT NULL,
	`per_user_limit` integer NOT NULL,
	`simulate_share_percent` integer,
	`full_room_policy` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "group_buys_window_valid" CHECK("group_buys"."ends_at" > "group_buys"."starts_at"),
	CONSTRAINT "group_buys_sizes_valid" CHECK("group_buys"."group_size" >= 2 AND "group_buys"."max_size" >= "group_buys"."group_size" AND "group_buys"."max_size" <= 100),
	CONSTRAINT "group_buys_limits_valid" CHECK("group_buys"."per_user_limit" >= 1 AND "group_buys"."duration_minutes" >= 5 AND "group_buys"."payment_window_minutes" >= 2 AND "group_buys"."leader_discount_fen" >= 0)
);
--> statement-breakpoint
CREATE INDEX `group_buys_window_idx` ON `group_buys` (`status`,`ends_at`,`starts_at`);--> statement-breakpoint
ALTER TABLE `orders` ADD `ship_hold` text;