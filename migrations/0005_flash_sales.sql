CREATE TABLE `flash_sale_items` (
	`id` text PRIMARY KEY NOT NULL,
	`flash_sale_id` text NOT NULL,
	`product_id` text NOT NULL,
	`sku_id` text NOT NULL,
	`flash_price_fen` integer NOT NULL,
	`flash_stock` integer NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`flash_sale_id`) REFERENCES `flash_sales`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sku_id`) REFERENCES `skus`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "flash_sale_items_values_valid" CHECK("flash_sale_items"."flash_price_fen" >= 1 AND "flash_sale_items"."flash_stock" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `flash_sale_items_campaign_sku_idx` ON `flash_sale_items` (`flash_sale_id`,`sku_id`);--> statement-breakpoint
CREATE INDEX `flash_sale_items_sku_window_idx` ON `flash_sale_items` (`sku_id`,`starts_at`,`ends_at`);--> statement-breakpoint
CREATE TABLE `flash_sales` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`per_user_limit` integer NOT NULL,
	`per_order_limit` integer NOT NULL,
	`payment_window_minutes` integer NOT NULL,
	`shard_count` integer NOT NULL,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "flash_sales_window_valid" CHECK("flash_sales"."ends_at" > "flash_sales"."starts_at"),
	CONSTRAINT "flash_sales_limits_valid" CHECK("flash_sales"."per_user_limit" >= 1 AND "flash_sales"."per_order_limit" >= 1 AND "flash_sales"."per_order_limit" <= "flash_sales"."per_user_limit"),
	CONSTRAINT "flash_sales_shards_valid" CHECK("flash_sales"."shard_count" BETWEEN 1 AND 64)
);
--> statement-breakpoint
CREATE INDEX `flash_sales_window_idx` ON `flash_sales` (`status`,`ends_at`,`starts_at`);--> statement-breakpoint
ALTER TABLE `orders` ADD `source` text DEFAULT 'shop' NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `source_ref` text;--> statement-breakpoint
CREATE UNIQUE INDEX `orders_source_ref_idx` ON `orders` (`source`,`source_ref`);