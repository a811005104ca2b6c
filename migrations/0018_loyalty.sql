CREATE TABLE `check_in_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`cycle_key` text NOT NULL,
	`reward_id` text NOT NULL,
	`points` integer NOT NULL,
	`coupon_template_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `check_in_grants_once_idx` ON `check_in_grants` (`user_id`,`cycle_key`,`reward_id`);--> statement-breakpoint
CREATE TABLE `check_in_make_ups` (
	`user_id` text NOT NULL,
	`month` text NOT NULL,
	`used` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`user_id`, `month`)
);
--> statement-breakpoint
CREATE TABLE `check_in_rewards` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`days` integer NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`coupon_template_id` text,
	`created_at` integer NOT NULL,
	CONSTRAINT "check_in_rewards_days_positive" CHECK("check_in_rewards"."days" > 0 AND "check_in_rewards"."points" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `check_in_rewards_kind_days_idx` ON `check_in_rewards` (`kind`,`days`);--> statement-breakpoint
CREATE TABLE `check_ins` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`local_date` text NOT NULL,
	`make_up` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `check_ins_user_date_idx` ON `check_ins` (`user_id`,`local_date`);--> statement-breakpoint
CREATE TABLE `first_order_bonuses` (
	`user_id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `loyalty_guards` (
	`refusal` text NOT NULL,
	CONSTRAINT "points_insufficient" CHECK("loyalty_guards"."refusal" <> 'insufficient_points'),
	CONSTRAINT "points_debt_outstanding" CHECK("loyalty_guards"."refusal" <> 'points_debt_outstanding'),
	CONSTRAINT "check_in_make_up_limit" CHECK("loyalty_guards"."refusal" <> 'make_up_limit_reached'),
	CONSTRAINT "points_mall_exchange_limit" CHECK("loyalty_guards"."refusal" <> 'exchange_limit_reached')
);
--> statement-breakpoint
CREATE TABLE `loyalty_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`points_expiry_mode` text DEFAULT 'rolling_months' NOT NULL,
	`points_expiry_months` integer DEFAULT 12 NOT NULL,
	`earn_points_per_yuan` integer DEFAULT 1 NOT NULL,
	`earn_birthday_multiplier_bps` integer DEFAULT 10000 NOT NULL,
	`earn_first_order_bonus` integer DEFAULT 0 NOT NULL,
	`earn_per_order_cap` integer,
	`after_sales_days` integer DEFAULT 7 NOT NULL,
	`redeem_points_per_yuan` integer DEFAULT 100 NOT NULL,
	`redeem_max_goods_percent` integer DEFAULT 50 NOT NULL,
	`redeem_max_points_per_order` integer,
	`redeem_shipping` integer DEFAULT 0 NOT NULL,
	`check_in_cycle` text DEFAULT 'monthly' NOT NULL,
	`check_in_base_points` integer DEFAULT 5 NOT NULL,
	`check_in_make_ups_per_month` integer DEFAULT 2 NOT NULL,
	`check_in_make_up_cost_points` integer DEFAULT 0 NOT NULL,
	`member_benefit_mode` text DEFAULT 'member_price' NOT NULL,
	`growth_per_yuan` integer DEFAULT 1 NOT NULL,
	`check_in_growth` integer DEFAULT 1 NOT NULL,
	`plan_refund_rule` text DEFAULT 'none' NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "loyalty_settings_single_row" CHECK("loyalty_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `mall_exchange_counts` (
	`item_id` text NOT NULL,
	`user_id` text NOT NULL,
	`used` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`item_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `mall_exchanges` (
	`id` text PRIMARY KEY NOT NULL,
	`item_id` text NOT NULL,
	`user_id` text NOT NULL,
	`points` integer NOT NULL,
	`cash_fen` integer NOT NULL,
	`order_id` text,
	`coupon_template_id` text,
	`returned` integer DEFAULT 0 NOT NULL,
	`idempotency_key` text NOT NULL,
	`request_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mall_exchanges_user_key_idx` ON `mall_exchanges` (`user_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `mall_exchanges_order_idx` ON `mall_exchanges` (`order_id`);--> statement-breakpoint
CREATE INDEX `mall_exchanges_user_idx` ON `mall_exchanges` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `mall_items` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`image_url` text,
	`sku_id` text,
	`coupon_template_id` text,
	`points_price` integer NOT NULL,
	`cash_fen` integer DEFAULT 0 NOT NULL,
	`stock` integer NOT NULL,
	`per_shopper_limit` integer NOT NULL,
	`active` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "points_mall_stock_non_negative" CHECK("mall_items"."stock" >= 0),
	CONSTRAINT "mall_items_values_valid" CHECK("mall_items"."points_price" > 0 AND "mall_items"."cash_fen" >= 0 AND "mall_items"."per_shopper_limit" > 0)
);
--> statement-breakpoint
CREATE TABLE `member_growth` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`source` text NOT NULL,
	`delta` integer NOT NULL,
	`ref` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_growth_once_idx` ON `member_growth` (`source`,`ref`);--> statement-breakpoint
CREATE INDEX `member_growth_user_idx` ON `member_growth` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `member_levels` (
	`id` text PRIMARY KEY NOT NULL,
	`rank` integer NOT NULL,
	`name` text NOT NULL,
	`growth_threshold` integer NOT NULL,
	`discount_bps` integer DEFAULT 0 NOT NULL,
	`member_price` integer DEFAULT 0 NOT NULL,
	`free_shipping` integer DEFAULT 0 NOT NULL,
	`points_multiplier_bps` integer DEFAULT 10000 NOT NULL,
	`birthday_coupon_template_id` text,
	`created_at` integer NOT NULL,
	CONSTRAINT "member_levels_values_valid" CHECK("member_levels"."rank" > 0 AND "member_levels"."growth_threshold" >= 0 AND "member_levels"."discount_bps" BETWEEN 0 AND 10000 AND "member_levels"."points_multiplier_bps" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_levels_rank_idx` ON `member_levels` (`rank`);--> statement-breakpoint
CREATE TABLE `member_plans` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`period` text NOT NULL,
	`price_fen` integer NOT NULL,
	`level_rank` integer NOT NULL,
	`active` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "member_plans_values_valid" CHECK("member_plans"."price_fen" > 0 AND "member_plans"."level_rank" > 0)
);
--> statement-breakpoint
CREATE TABLE `member_states` (
	`user_id` text PRIMARY KEY NOT NULL,
	`level_rank` integer DEFAULT 0 NOT NULL,
	`reached_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `member_states_reached_idx` ON `member_states` (`reached_at`);--> statement-breakpoint
CREATE TABLE `order_points` (
	`order_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`spent` integer DEFAULT 0 NOT NULL,
	`spent_fen` integer DEFAULT 0 NOT NULL,
	`earns` integer DEFAULT 0 NOT NULL,
	`first_order_bonus` integer DEFAULT 0 NOT NULL,
	`after_sales_days` integer DEFAULT 0 NOT NULL,
	`growth` integer DEFAULT 0 NOT NULL,
	`growth_due_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `order_points_growth_due_idx` ON `order_points` (`growth_due_at`);--> statement-breakpoint
CREATE TABLE `plan_purchases` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`plan_id` text NOT NULL,
	`out_trade_no` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`status` text NOT NULL,
	`payment_deadline` integer NOT NULL,
	`time_zone` text NOT NULL,
	`starts_at` integer,
	`ends_at` integer,
	`transaction_id` text,
	`idempotency_key` text NOT NULL,
	`request_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plan_purchases_out_trade_no_idx` ON `plan_purchases` (`out_trade_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `plan_purchases_user_key_idx` ON `plan_purchases` (`user_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `plan_purchases_user_ends_idx` ON `plan_purchases` (`user_id`,`status`,`ends_at`);--> statement-breakpoint
CREATE INDEX `plan_purchases_pending_idx` ON `plan_purchases` (`status`,`payment_deadline`);--> statement-breakpoint
CREATE TABLE `point_accounts` (
	`user_id` text PRIMARY KEY NOT NULL,
	`debt` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "point_accounts_debt_non_negative" CHECK("point_accounts"."debt" >= 0)
);
--> statement-breakpoint
CREATE TABLE `point_category_multipliers` (
	`category_id` text PRIMARY KEY NOT NULL,
	`multiplier_bps` integer NOT NULL,
	CONSTRAINT "point_category_multiplier_positive" CHECK("point_category_multipliers"."multiplier_bps" > 0)
);
--> statement-breakpoint
CREATE TABLE `point_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`source` text NOT NULL,
	`delta` integer NOT NULL,
	`frozen_delta` integer DEFAULT 0 NOT NULL,
	`debt_delta` integer DEFAULT 0 NOT NULL,
	`ref` text,
	`reason` text DEFAULT '' NOT NULL,
	`actor_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `point_entries_user_idx` ON `point_entries` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `point_entries_ref_idx` ON `point_entries` (`ref`,`source`,`kind`);--> statement-breakpoint
CREATE TABLE `point_lots` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`source` text NOT NULL,
	`ref` text,
	`amount` integer NOT NULL,
	`remaining` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`frozen_until` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "point_lots_remaining_in_range" CHECK("point_lots"."remaining" >= 0 AND "point_lots"."remaining" <= "point_lots"."amount"),
	CONSTRAINT "point_lots_amount_positive" CHECK("point_lots"."amount" > 0)
);
--> statement-breakpoint
CREATE INDEX `point_lots_user_expiry_idx` ON `point_lots` (`user_id`,`expires_at`,`id`);--> statement-breakpoint
CREATE INDEX `point_lots_frozen_idx` ON `point_lots` (`frozen_until`);--> statement-breakpoint
CREATE INDEX `point_lots_expiry_idx` ON `point_lots` (`expires_at`);--> statement-breakpoint
CREATE INDEX `point_lots_source_ref_idx` ON `point_lots` (`source`,`ref`);--> statement-breakpoint
CREATE TABLE `point_takes` (
	`entry_id` text NOT NULL,
	`lot_id` text NOT NULL,
	`amount` integer NOT NULL,
	PRIMARY KEY(`entry_id`, `lot_id`),
	CONSTRAINT "point_takes_amount_positive" CHECK("point_takes"."amount" > 0)
);
--> statement-breakpoint
CREATE INDEX `point_takes_lot_idx` ON `point_takes` (`lot_id`);--> statement-breakpoint
-- Hand-written below (keep when regenerating):
INSERT INTO `loyalty_settings` (`id`, `updated_at`) VALUES (1, 0);
