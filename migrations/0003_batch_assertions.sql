CREATE TABLE `batch_assertions` (
	`must_hold` integer NOT NULL,
	CONSTRAINT "batch_assertions_must_hold" CHECK("batch_assertions"."must_hold" = 1)
);
