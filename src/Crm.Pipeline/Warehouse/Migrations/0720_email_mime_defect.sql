-- A message whose MIME structure could not be read as sent (a multipart boundary missing, or never
-- found in its content) used to be stored with an empty body and nothing to say so. It is kept, with
-- the raw text of its unseparated parts as body_text, and mime_defect says what was wrong.
alter table core.email add column mime_defect text;
