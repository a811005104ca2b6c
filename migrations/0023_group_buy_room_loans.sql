ALTER TABLE `group_buy_rooms` ADD `units_loaned` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `group_buy_rooms` ADD `loan_sku_id` text;