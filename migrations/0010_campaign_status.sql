-- One stored status for every campaign (src/domain/campaign.ts): 'scheduled' until cancelled.
-- SQLite cannot change a column default in place, so the two tables are rebuilt. Sessions, rooms
-- and SKUs point at their rows, and D1 checks foreign keys when the migration commits
-- (defer_foreign_keys): dropping the old table counts one violation per row pointing at it, which
-- only rows inserted into the table of that name resolve. So the rows are kept aside in a plain
-- copy, the old table is dropped, the new one takes its name, and only then are the rows put
-- back (drizzle-kit's own plan, which copies before the rename, leaves the violations counted;
-- test/workers/platform/migration-campaign-status.test.ts runs this on a shop with live campaigns).
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
-- The limit triggers of 0008 read bargain_campaigns: dropped for the rebuild, created again below.
DROP TRIGGER `bargain_sessions_launch_limit`;--> statement-breakpoint
DROP TRIGGER `bargain_helps_daily_limit`;--> statement-breakpoint
CREATE TABLE `__copy_bargain_campaigns` AS SELECT * FROM `bargain_campaigns`;--> statement-breakpoint
CREATE TABLE `__new_bargain_campaigns` (
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
	`status` text DEFAULT 'scheduled' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "bargain_campaigns_prices_valid" CHECK("__new_bargain_campaigns"."floor_price_fen" >= 1 AND "__new_bargain_campaigns"."start_price_fen" - "__new_bargain_campaigns"."floor_price_fen" >= "__new_bargain_campaigns"."helpers_needed"),
	CONSTRAINT "bargain_campaigns_limits_valid" CHECK("__new_bargain_campaigns"."helpers_needed" BETWEEN 1 AND 100 AND "__new_bargain_campaigns"."session_minutes" BETWEEN 5 AND 10080 AND "__new_bargain_campaigns"."launches_per_shopper" BETWEEN 1 AND 100 AND "__new_bargain_campaigns"."helps_per_day" BETWEEN 1 AND 100 AND "__new_bargain_campaigns"."buy_before_floor" IN (0, 1) AND "__new_bargain_campaigns"."new_helper_bonus_pct" BETWEEN 0 AND 400),
	CONSTRAINT "bargain_campaigns_window_valid" CHECK("__new_bargain_campaigns"."ends_at" > "__new_bargain_campaigns"."starts_at")
);
--> statement-breakpoint
DROP TABLE `bargain_campaigns`;--> statement-breakpoint
ALTER TABLE `__new_bargain_campaigns` RENAME TO `bargain_campaigns`;--> statement-breakpoint
INSERT INTO `bargain_campaigns`("id", "title", "product_id", "sku_id", "start_price_fen", "floor_price_fen", "helpers_needed", "session_minutes", "launches_per_shopper", "helps_per_day", "buy_before_floor", "new_helper_bonus_pct", "starts_at", "ends_at", "status", "created_by", "created_at", "updated_at") SELECT "id", "title", "product_id", "sku_id", "start_price_fen", "floor_price_fen", "helpers_needed", "session_minutes", "launches_per_shopper", "helps_per_day", "buy_before_floor", "new_helper_bonus_pct", "starts_at", "ends_at", "status", "created_by", "created_at", "updated_at" FROM `__copy_bargain_campaigns`;--> statement-breakpoint
DROP TABLE `__copy_bargain_campaigns`;--> statement-breakpoint
CREATE INDEX `bargain_campaigns_window_idx` ON `bargain_campaigns` (`status`,`ends_at`,`starts_at`);--> statement-breakpoint
CREATE INDEX `bargain_campaigns_created_idx` ON `bargain_campaigns` (`created_at`,`id`);--> statement-breakpoint
CREATE TRIGGER `bargain_sessions_launch_limit` BEFORE INSERT ON `bargain_sessions`
WHEN (SELECT count(*) FROM bargain_sessions WHERE campaign_id = NEW.campaign_id AND owner_id = NEW.owner_id)
   >= (SELECT launches_per_shopper FROM bargain_campaigns WHERE id = NEW.campaign_id)
BEGIN
  SELECT RAISE(ABORT, 'bargain_launch_limit');
END;
--> statement-breakpoint
CREATE TRIGGER `bargain_helps_daily_limit` BEFORE INSERT ON `bargain_helps`
WHEN (SELECT count(*) FROM bargain_helps WHERE helper_id = NEW.helper_id AND campaign_id = NEW.campaign_id AND day = NEW.day)
   >= (SELECT helps_per_day FROM bargain_campaigns WHERE id = NEW.campaign_id)
BEGIN
  SELECT RAISE(ABORT, 'bargain_daily_help_limit');
END;
--> statement-breakpoint
CREATE TABLE `__copy_group_buys` AS SELECT * FROM `group_buys`;--> statement-breakpoint
CREATE TABLE `__new_group_buys` (
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
	`status` text DEFAULT 'scheduled' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "group_buys_window_valid" CHECK("__new_group_buys"."ends_at" > "__new_group_buys"."starts_at"),
	CONSTRAINT "group_buys_sizes_valid" CHECK("__new_group_buys"."group_size" >= 2 AND "__new_group_buys"."max_size" >= "__new_group_buys"."group_size" AND "__new_group_buys"."max_size" <= 100),
	CONSTRAINT "group_buys_limits_valid" CHECK("__new_group_buys"."per_user_limit" >= 1 AND "__new_group_buys"."duration_minutes" >= 5 AND "__new_group_buys"."payment_window_minutes" >= 2 AND "__new_group_buys"."leader_discount_fen" >= 0)
);
--> statement-breakpoint
DROP TABLE `group_buys`;--> statement-breakpoint
ALTER TABLE `__new_group_buys` RENAME TO `group_buys`;--> statement-breakpoint
INSERT INTO `group_buys`("id", "title", "product_id", "group_size", "max_size", "tiers", "leader_discount_fen", "duration_minutes", "payment_window_minutes", "per_user_limit", "simulate_share_percent", "full_room_policy", "starts_at", "ends_at", "status", "created_by", "created_at", "updated_at") SELECT "id", "title", "product_id", "group_size", "max_size", "tiers", "leader_discount_fen", "duration_minutes", "payment_window_minutes", "per_user_limit", "simulate_share_percent", "full_room_policy", "starts_at", "ends_at", "status", "created_by", "created_at", "updated_at" FROM `__copy_group_buys`;--> statement-breakpoint
DROP TABLE `__copy_group_buys`;--> statement-breakpoint
CREATE INDEX `group_buys_window_idx` ON `group_buys` (`status`,`ends_at`,`starts_at`);--> statement-breakpoint
UPDATE `bargain_campaigns` SET `status` = 'scheduled' WHERE `status` = 'active';--> statement-breakpoint
UPDATE `group_buys` SET `status` = 'scheduled' WHERE `status` = 'active';
