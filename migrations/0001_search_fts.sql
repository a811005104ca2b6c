-- Full-text search over product titles and subtitles. The trigram tokenizer matches any
-- substring of three or more characters, which suits Chinese text with no word breaks.
-- External-content table: the text lives in products; triggers keep the index in step.
CREATE VIRTUAL TABLE `products_fts` USING fts5(title, subtitle, content='products', content_rowid='rowid', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER `products_fts_after_insert` AFTER INSERT ON `products` BEGIN
  INSERT INTO products_fts(rowid, title, subtitle) VALUES (new.rowid, new.title, new.subtitle);
END;
--> statement-breakpoint
CREATE TRIGGER `products_fts_after_delete` AFTER DELETE ON `products` BEGIN
  INSERT INTO products_fts(products_fts, rowid, title, subtitle) VALUES ('delete', old.rowid, old.title, old.subtitle);
END;
--> statement-breakpoint
CREATE TRIGGER `products_fts_after_update` AFTER UPDATE OF title, subtitle ON `products` BEGIN
  INSERT INTO products_fts(products_fts, rowid, title, subtitle) VALUES ('delete', old.rowid, old.title, old.subtitle);
  INSERT INTO products_fts(rowid, title, subtitle) VALUES (new.rowid, new.title, new.subtitle);
END;
--> statement-breakpoint
-- The catalog version starts at 1; merchant writes bump it.
INSERT INTO `catalog_state` (`id`, `version`) VALUES (1, 1);
