CREATE TABLE `coupon_guards` (
	`guard` text NOT NULL,
	CONSTRAINT "coupon_guards_never_hold" CHECK("coupon_guards"."guard" IS NULL)
);
--> statement-breakpoint
CREATE TABLE `coupon_issues` (
	`id` text PRIMARY KEY NOT NULL,
	`template_id` text NOT NULL,
	`user_ids` text NOT NULL,
	`next_index` integer DEFAULT 0 NOT NULL,
	`issued_count` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`idempotency_key` text NOT NULL,
	`request_hash` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`template_id`) REFERENCES `coupon_templates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `coupon_issues_idempotency_idx` ON `coupon_issues` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `coupon_issues_template_idx` ON `coupon_issues` (`template_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `coupon_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`kind` text NOT NULL,
	`benefit` text NOT NULL,
	`scope` text NOT NULL,
	`audience` text DEFAULT 'everyone' NOT NULL,
	`min_member_level` integer,
	`total_quantity` integer,
	`issued_count` integer DEFAULT 0 NOT NULL,
	`per_shopper_limit` integer DEFAULT 1 NOT NULL,
	`in_centre` integer DEFAULT 1 NOT NULL,
	`claim_starts_at` integer NOT NULL,
	`claim_ends_at` integer NOT NULL,
	`validity_kind` text NOT NULL,
	`valid_from` integer,
	`valid_until` integer,
	`valid_days` integer,
	`status` text DEFAULT 'draft' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "coupon_templates_within_total" CHECK("coupon_templates"."total_quantity" IS NULL OR "coupon_templates"."issued_count" <= "coupon_templates"."total_quantity"),
	CONSTRAINT "coupon_templates_valid" CHECK("coupon_templates"."per_shopper_limit" >= 1 AND "coupon_templates"."claim_ends_at" > "coupon_templates"."claim_starts_at" AND "coupon_templates"."issued_count" >= 0)
);
--> statement-breakpoint
CREATE INDEX `coupon_templates_status_idx` ON `coupon_templates` (`status`,`claim_ends_at`);--> statement-breakpoint
CREATE TABLE `redeem_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`template_id` text NOT NULL,
	`batch_id` text NOT NULL,
	`max_uses` integer DEFAULT 1 NOT NULL,
	`used_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`template_id`) REFERENCES `coupon_templates`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "redeem_codes_within_uses" CHECK("redeem_codes"."used_count" <= "redeem_codes"."max_uses" AND "redeem_codes"."max_uses" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `redeem_codes_code_idx` ON `redeem_codes` (`code`);--> statement-breakpoint
CREATE INDEX `redeem_codes_template_idx` ON `redeem_codes` (`template_id`,`batch_id`);--> statement-breakpoint
CREATE TABLE `shopper_coupons` (
	`id` text PRIMARY KEY NOT NULL,
	`template_id` text NOT NULL,
	`user_id` text NOT NULL,
	`source` text NOT NULL,
	`source_ref` text,
	`name` text NOT NULL,
	`benefit` text NOT NULL,
	`scope` text NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_until` integer NOT NULL,
	`status` text DEFAULT 'unused' NOT NULL,
	`order_id` text,
	`saving_fen` integer,
	`locked_at` integer,
	`used_at` integer,
	`idempotency_key` text,
	`request_hash` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`template_id`) REFERENCES `coupon_templates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "shopper_coupons_lock_has_order" CHECK("shopper_coupons"."status" NOT IN ('locked', 'used') OR "shopper_coupons"."order_id" IS NOT NULL)
);
--> statement-breakpoint
CREATE INDEX `shopper_coupons_wallet_idx` ON `shopper_coupons` (`user_id`,`status`,`valid_until`);--> statement-breakpoint
CREATE INDEX `shopper_coupons_user_created_idx` ON `shopper_coupons` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `shopper_coupons_template_user_idx` ON `shopper_coupons` (`template_id`,`user_id`,`source`);--> statement-breakpoint
CREATE INDEX `shopper_coupons_order_idx` ON `shopper_coupons` (`order_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `shopper_coupons_idempotency_idx` ON `shopper_coupons` (`user_id`,`idempotency_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `shopper_coupons_one_per_source_idx` ON `shopper_coupons` (`source`,`source_ref`,`user_id`) WHERE "shopper_coupons"."source_ref" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `promotion_activities` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`scope` text NOT NULL,
	`condition` text NOT NULL,
	`benefit` text NOT NULL,
	`tiers` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "promotion_activities_window_valid" CHECK("promotion_activities"."ends_at" > "promotion_activities"."starts_at")
);
--> statement-breakpoint
CREATE INDEX `promotion_activities_window_idx` ON `promotion_activities` (`status`,`ends_at`,`starts_at`);--> statement-breakpoint
CREATE TABLE `timed_discounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`product_id` text NOT NULL,
	`sku_id` text,
	`kind` text NOT NULL,
	`value` integer NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "timed_discounts_window_valid" CHECK("timed_discounts"."ends_at" > "timed_discounts"."starts_at" AND "timed_discounts"."value" >= 0)
);
--> statement-breakpoint
CREATE INDEX `timed_discounts_window_idx` ON `timed_discounts` (`status`,`ends_at`,`starts_at`);--> statement-breakpoint
CREATE INDEX `timed_discounts_product_idx` ON `timed_discounts` (`product_id`,`status`);--> statement-breakpoint
-- Hand-written below (keep when regenerating):
-- A shopper holds at most per_shopper_limit claimed coupons of a template, however many claims race.
CREATE TRIGGER `shopper_coupons_claim_limit` BEFORE INSERT ON `shopper_coupons`
WHEN NEW.source = 'claim'
 AND (SELECT count(*) FROM shopper_coupons WHERE template_id = NEW.template_id AND user_id = NEW.user_id AND source = 'claim')
   >= (SELECT per_shopper_limit FROM coupon_templates WHERE id = NEW.template_id)
BEGIN
  SELECT RAISE(ABORT, 'coupon_guard:claim_limit');
END;
--> statement-breakpoint
CREATE TRIGGER `coupon_guards_template_active` BEFORE INSERT ON `coupon_guards`
WHEN NEW.guard = 'template_active'
BEGIN
  SELECT RAISE(ABORT, 'coupon_guard:template_not_active');
END;
--> statement-breakpoint
CREATE TRIGGER `coupon_guards_coupon_available` BEFORE INSERT ON `coupon_guards`
WHEN NEW.guard = 'coupon_available'
BEGIN
  SELECT RAISE(ABORT, 'coupon_guard:coupon_unavailable');
END;
