CREATE TABLE `plan_refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`purchase_id` text NOT NULL,
	`user_id` text NOT NULL,
	`out_refund_no` text NOT NULL,
	`amount_fen` integer NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`actor_id` text,
	`wechat_refund_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "plan_refunds_amount_positive" CHECK("plan_refunds"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plan_refunds_out_refund_no_idx` ON `plan_refunds` (`out_refund_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `plan_refunds_one_live_idx` ON `plan_refunds` (`purchase_id`) WHERE "plan_refunds"."status" <> 'failed';--> statement-breakpoint
CREATE INDEX `plan_refunds_processing_idx` ON `plan_refunds` (`status`,`updated_at`);