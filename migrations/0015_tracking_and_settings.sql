CREATE TABLE `fulfilment_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`auto_confirm_days_after_delivery` integer DEFAULT 7 NOT NULL,
	`auto_confirm_days_without_tracking` integer DEFAULT 15 NOT NULL,
	`after_sale_window_days` integer DEFAULT 7 NOT NULL,
	`auto_approve_days` integer DEFAULT 2 NOT NULL,
	`return_ship_days` integer DEFAULT 7 NOT NULL,
	`auto_refund_days_after_return` integer DEFAULT 3 NOT NULL,
	`return_address` text,
	`subscribe_templates` text DEFAULT '{}' NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "fulfilment_settings_single_row" CHECK("fulfilment_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `tracking_events` (
	`id` text PRIMARY KEY NOT NULL,
	`shipment_id` text NOT NULL,
	`order_id` text NOT NULL,
	`event_time` text NOT NULL,
	`context` text NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`shipment_id`) REFERENCES `shipments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tracking_events_unique_idx` ON `tracking_events` (`shipment_id`,`event_time`,`context`);--> statement-breakpoint
CREATE INDEX `tracking_events_order_idx` ON `tracking_events` (`order_id`,`event_time`);--> statement-breakpoint
ALTER TABLE `shipments` ADD `tracking_state` text;--> statement-breakpoint
ALTER TABLE `shipments` ADD `tracking_subscribed_at` integer;--> statement-breakpoint
ALTER TABLE `shipments` ADD `tracking_checked_at` integer;--> statement-breakpoint
-- Hand-written below (keep when regenerating):
INSERT INTO fulfilment_settings (id, updated_at) VALUES (1, 0);
