CREATE TABLE `shipping_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`basis` text NOT NULL,
	`default_rule` text NOT NULL,
	`region_rules` text NOT NULL,
	`free_rules` text NOT NULL,
	`undeliverable_regions` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shipping_templates_name_idx` ON `shipping_templates` (`name`);--> statement-breakpoint
ALTER TABLE `products` ADD `shipping_template_id` text;--> statement-breakpoint
ALTER TABLE `skus` ADD `weight_grams` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written below (keep when regenerating):
-- The flat fee and free-shipping threshold of shop_settings become the default template.
INSERT INTO shipping_templates (id, name, basis, default_rule, region_rules, free_rules, undeliverable_regions, created_at, updated_at)
SELECT 'shp_default', '默认运费模板', 'flat',
  json_object('firstUnits', 1, 'firstFeeFen', shipping_flat_fee_fen, 'additionalUnits', 0, 'additionalFeeFen', 0),
  '[]',
  CASE WHEN free_shipping_threshold_fen IS NULL THEN '[]'
       ELSE json_array(json_object('regions', json('[]'), 'minAmountFen', free_shipping_threshold_fen, 'minQuantity', NULL)) END,
  '[]', updated_at, updated_at
FROM shop_settings WHERE id = 1;
