CREATE TABLE `shipping_uploads` (
	`order_id` text PRIMARY KEY NOT NULL,
	`uploaded_seq` integer DEFAULT 0 NOT NULL,
	`last_upload_time` integer,
	`correction_used` integer DEFAULT 0 NOT NULL,
	`wechat_order_state` integer,
	`checked_at` integer,
	`mismatch` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "shipping_uploads_correction_once" CHECK("shipping_uploads"."correction_used" IN (0, 1))
);
