ALTER TABLE `shipments` ADD `exchange_for` text;--> statement-breakpoint
ALTER TABLE `after_sales` ADD `return_tracking_subscribed_at` integer;--> statement-breakpoint
ALTER TABLE `after_sales` ADD `return_tracking_checked_at` integer;--> statement-breakpoint
ALTER TABLE `after_sales` ADD `return_delivered_at` integer;--> statement-breakpoint
-- Hand-written below (keep when regenerating):
-- A package may not hold more units of a line than were ordered (counting the order's own
-- packages); an exchange's replacement package (exchange_for set) sends returned units again.
DROP TRIGGER shipment_lines_not_over_ordered;
--> statement-breakpoint
CREATE TRIGGER shipment_lines_not_over_ordered
BEFORE INSERT ON shipment_lines
WHEN (SELECT exchange_for FROM shipments WHERE id = NEW.shipment_id) IS NULL
 AND NEW.quantity + COALESCE((SELECT SUM(l.quantity) FROM shipment_lines l JOIN shipments s ON s.id = l.shipment_id
                               WHERE l.order_item_id = NEW.order_item_id AND s.exchange_for IS NULL), 0)
     > (SELECT quantity FROM order_items WHERE id = NEW.order_item_id)
BEGIN
  SELECT RAISE(ABORT, 'shipment_over_quantity');
END;
