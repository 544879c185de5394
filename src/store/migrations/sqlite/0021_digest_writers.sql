-- Which write claimed a digest period or used a link (docs/retries.md): a retried commit whose
-- reply was lost finds its own claim and still answers "claimed by me".
ALTER TABLE digest_sends ADD COLUMN writer TEXT;
ALTER TABLE digest_link_uses ADD COLUMN writer TEXT;
