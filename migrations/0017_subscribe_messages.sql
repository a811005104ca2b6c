CREATE TABLE `subscribe_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`template_key` text NOT NULL,
	`subject_id` text NOT NULL,
	`data` text NOT NULL,
	`page` text,
	`status` text NOT NULL,
	`allowance_taken` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subscribe_messages_subject_idx` ON `subscribe_messages` (`template_key`,`subject_id`);--> statement-breakpoint
CREATE INDEX `subscribe_messages_user_idx` ON `subscribe_messages` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `subscription_allowances` (
	`user_id` text NOT NULL,
	`template_key` text NOT NULL,
	`remaining` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `template_key`),
	CONSTRAINT "subscription_allowances_non_negative" CHECK("subscription_allowances"."remaining" >= 0)
);
