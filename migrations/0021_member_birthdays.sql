CREATE TABLE `birthday_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`year` integer NOT NULL,
	`coupon_template_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `birthday_grants_once_a_year_idx` ON `birthday_grants` (`user_id`,`year`);--> statement-breakpoint
CREATE TABLE `member_birthdays` (
	`user_id` text PRIMARY KEY NOT NULL,
	`birthday` text NOT NULL,
	`month_day` text NOT NULL,
	`set_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "member_birthdays_month_day" CHECK("member_birthdays"."month_day" = substr("member_birthdays"."birthday", 6))
);
--> statement-breakpoint
CREATE INDEX `member_birthdays_month_day_idx` ON `member_birthdays` (`month_day`);