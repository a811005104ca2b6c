CREATE TABLE `bargain_campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`product_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`start_price_fen` integer NOT NULL,
	`floor_price_fen` integer NOT NULL,
	`helpers_needed` integer NOT NULL,
	`session_minutes` integer NOT NULL,
	`launches_per_shopper` integer NOT NULL,
	`helps_per_day` integer NOT NULL,
	`buy_before_floor` integer NOT NULL,
	`new_helper_bonus_pct` integer NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "bargain_campaigns_prices_valid" CHECK("bargain_campaigns"."floor_price_fen" >= 1 AND "bargain_campaigns"."start_price_fen" - "bargain_campaigns"."floor_price_fen" >= "bargain_campaigns"."helpers_needed"),
	CONSTRAINT "bargain_campaigns_limits_valid" CHECK("bargain_campaigns"."helpers_needed" BETWEEN 1 AND 100 AND "bargain_campaigns"."session_minutes" BETWEEN 5 AND 10080 AND "bargain_campaigns"."launches_per_shopper" BETWEEN 1 AND 100 AND "bargain_campaigns"."helps_per_day" BETWEEN 1 AND 100 AND "bargain_campaigns"."buy_before_floor" IN (0, 1) AND "bargain_campaigns"."new_helper_bonus_pct" BETWEEN 0 AND 400),
	CONSTRAINT "bargain_campaigns_window_valid" CHECK("bargain_campaigns"."ends_at" > "bargain_campaigns"."starts_at")
);
--> statement-breakpoint
CREATE INDEX `bargain_campaigns_window_idx` ON `bargain_campaigns` (`status`,`ends_at`,`starts_at`);--> statement-breakpoint
CREATE INDEX `bargain_campaigns_created_idx` ON `bargain_campaigns` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `bargain_helps` (
	`session_id` text NOT NULL,
	`helper_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`day` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `helper_id`),
	FOREIGN KEY (`session_id`) REFERENCES `bargain_sessions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`helper_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `bargain_helps_helper_day_idx` ON `bargain_helps` (`helper_id`,`campaign_id`,`day`);--> statement-breakpoint
CREATE TABLE `bargain_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`owner_id` text NOT NULL,
	`seed` text NOT NULL,
	`start_price_fen` integer NOT NULL,
	`floor_price_fen` integer NOT NULL,
	`helpers_needed` integer NOT NULL,
	`buy_before_floor` integer NOT NULL,
	`new_helper_bonus_pct` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`idempotency_key` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `bargain_campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bargain_sessions_owner_key_idx` ON `bargain_sessions` (`owner_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `bargain_sessions_owner_created_idx` ON `bargain_sessions` (`owner_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `bargain_sessions_campaign_owner_idx` ON `bargain_sessions` (`campaign_id`,`owner_id`);