-- Limits that span bargain sessions, enforced inside the INSERT that would break them (D1 runs
-- writes one at a time, so a count read by a BEFORE INSERT trigger cannot be raced).
-- Launches per shopper per campaign:
CREATE TRIGGER `bargain_sessions_launch_limit` BEFORE INSERT ON `bargain_sessions`
WHEN (SELECT count(*) FROM bargain_sessions WHERE campaign_id = NEW.campaign_id AND owner_id = NEW.owner_id)
   >= (SELECT launches_per_shopper FROM bargain_campaigns WHERE id = NEW.campaign_id)
BEGIN
  SELECT RAISE(ABORT, 'bargain_launch_limit');
END;
--> statement-breakpoint
-- Helps per shopper per campaign per shop-day:
CREATE TRIGGER `bargain_helps_daily_limit` BEFORE INSERT ON `bargain_helps`
WHEN (SELECT count(*) FROM bargain_helps WHERE helper_id = NEW.helper_id AND campaign_id = NEW.campaign_id AND day = NEW.day)
   >= (SELECT helps_per_day FROM bargain_campaigns WHERE id = NEW.campaign_id)
BEGIN
  SELECT RAISE(ABORT, 'bargain_daily_help_limit');
END;
