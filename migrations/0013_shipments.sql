CREATE TABLE `carriers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `shipment_lines` (
	`shipment_id` text NOT NULL,
	`order_item_id` text NOT NULL,
	`quantity` integer NOT NULL,
	PRIMARY KEY(`shipment_id`, `order_item_id`),
	FOREIGN KEY (`shipment_id`) REFERENCES `shipments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`order_item_id`) REFERENCES `order_items`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "shipment_lines_quantity_positive" CHECK("shipment_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE INDEX `shipment_lines_item_idx` ON `shipment_lines` (`order_item_id`);--> statement-breakpoint
CREATE TABLE `shipments` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`seq` integer NOT NULL,
	`method` text NOT NULL,
	`carrier_id` text,
	`tracking_no` text,
	`item_desc` text NOT NULL,
	`completes_order` integer NOT NULL,
	`shipped_at` integer NOT NULL,
	`delivered_at` integer,
	`created_by` text,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`carrier_id`) REFERENCES `carriers`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "shipments_seq_range" CHECK("shipments"."seq" BETWEEN 1 AND 15),
	CONSTRAINT "shipments_express_has_tracking" CHECK("shipments"."method" <> 'express' OR ("shipments"."carrier_id" IS NOT NULL AND "shipments"."tracking_no" IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shipments_order_seq_idx` ON `shipments` (`order_id`,`seq`);--> statement-breakpoint
CREATE INDEX `shipments_tracking_idx` ON `shipments` (`carrier_id`,`tracking_no`);--> statement-breakpoint
-- Hand-written below (keep when regenerating):
-- A package may not hold more units of a line than were ordered (counting every package so far):
-- the failing statement aborts the whole batch, so two concurrent packages cannot oversell a line.
CREATE TRIGGER shipment_lines_not_over_ordered
BEFORE INSERT ON shipment_lines
WHEN NEW.quantity + COALESCE((SELECT SUM(quantity) FROM shipment_lines WHERE order_item_id = NEW.order_item_id), 0)
     > (SELECT quantity FROM order_items WHERE id = NEW.order_item_id)
BEGIN
  SELECT RAISE(ABORT, 'shipment_over_quantity');
END;
--> statement-breakpoint
-- The common carriers by WeChat delivery id; POST /admin/api/carriers/refresh replaces them with get_delivery_list.
INSERT INTO carriers (id, name, updated_at) VALUES
  ('SF', '顺丰速运', 0), ('ZTO', '中通快递', 0), ('YTO', '圆通速递', 0), ('STO', '申通快递', 0),
  ('YUNDA', '韵达快递', 0), ('JTSD', '极兔速递', 0), ('JD', '京东物流', 0), ('EMS', '中国邮政EMS', 0),
  ('DB', '德邦快递', 0), ('ZJS', '宅急送', 0);
