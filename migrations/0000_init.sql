CREATE TABLE `catalog_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	CONSTRAINT "catalog_state_single_row" CHECK("catalog_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `categories` (
	`id` text PRIMARY KEY NOT NULL,
	`parent_id` text,
	`name` text NOT NULL,
	`icon_url` text,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `categories_parent_idx` ON `categories` (`parent_id`,`sort_order`);--> statement-breakpoint
CREATE TABLE `product_search_grams` (
	`gram` text NOT NULL,
	`product_id` text NOT NULL,
	PRIMARY KEY(`gram`, `product_id`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `product_search_grams_product_idx` ON `product_search_grams` (`product_id`);--> statement-breakpoint
CREATE TABLE `product_tags` (
	`product_id` text NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`product_id`, `tag`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `product_tags_tag_idx` ON `product_tags` (`tag`,`product_id`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`category_id` text NOT NULL,
	`title` text NOT NULL,
	`subtitle` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`main_image_url` text NOT NULL,
	`image_urls` text NOT NULL,
	`specs` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`min_price_fen` integer NOT NULL,
	`max_price_fen` integer NOT NULL,
	`min_original_price_fen` integer NOT NULL,
	`on_sale` integer DEFAULT 0 NOT NULL,
	`total_stock` integer DEFAULT 0 NOT NULL,
	`sales_count` integer DEFAULT 0 NOT NULL,
	`published_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`category_id`) REFERENCES `categories`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "products_prices_non_negative" CHECK("products"."min_price_fen" >= 0 AND "products"."max_price_fen" >= "products"."min_price_fen")
);
--> statement-breakpoint
CREATE INDEX `products_newest_idx` ON `products` (`status`,`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `products_price_idx` ON `products` (`status`,`min_price_fen`,`id`);--> statement-breakpoint
CREATE INDEX `products_sales_idx` ON `products` (`status`,`sales_count`,`id`);--> statement-breakpoint
CREATE INDEX `products_category_newest_idx` ON `products` (`category_id`,`status`,`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `products_category_price_idx` ON `products` (`category_id`,`status`,`min_price_fen`,`id`);--> statement-breakpoint
CREATE INDEX `products_category_sales_idx` ON `products` (`category_id`,`status`,`sales_count`,`id`);--> statement-breakpoint
CREATE INDEX `products_on_sale_idx` ON `products` (`status`,`on_sale`,`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `products_admin_updated_idx` ON `products` (`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `skus` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`spec_values` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`spec_key` text NOT NULL,
	`code` text,
	`image_url` text,
	`price_fen` integer NOT NULL,
	`original_price_fen` integer NOT NULL,
	`member_price_fen` integer,
	`stock` integer DEFAULT 0 NOT NULL,
	`sales` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "skus_stock_non_negative" CHECK("skus"."stock" >= 0),
	CONSTRAINT "skus_prices_valid" CHECK("skus"."price_fen" >= 0 AND "skus"."original_price_fen" >= 0 AND ("skus"."member_price_fen" IS NULL OR "skus"."member_price_fen" >= 0))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `skus_product_spec_idx` ON `skus` (`product_id`,`spec_key`);--> statement-breakpoint
CREATE TABLE `stock_ledger` (
	`id` text PRIMARY KEY NOT NULL,
	`sku_id` text NOT NULL,
	`delta` integer NOT NULL,
	`stock_after` integer NOT NULL,
	`reason` text NOT NULL,
	`actor_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `stock_ledger_sku_idx` ON `stock_ledger` (`sku_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `merchant_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`disabled` integer DEFAULT 0 NOT NULL,
	`failed_logins` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "merchant_accounts_role_valid" CHECK("merchant_accounts"."role" IN ('owner', 'operator', 'viewer'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `merchant_accounts_username_idx` ON `merchant_accounts` (`username`);