-- Personal data (issue #13). Erasure (on request, or by the retention job for candidates not hired)
-- pseudonymises a candidate in place: the personal fields become NULL, erased_at says when; applications,
-- stages and dates stay, so the pipeline figures are unchanged.
ALTER TABLE candidates ALTER COLUMN full_name DROP NOT NULL;
ALTER TABLE candidates ADD COLUMN erased_at timestamptz;
CREATE INDEX applications_candidate ON applications (candidate_id);
CREATE INDEX applications_officer ON applications (officer_id) WHERE officer_id IS NOT NULL;
-- The destination employer stays in personnel (OfficerDeparted v2 no longer carries it).
ALTER TABLE departures DROP COLUMN destination;
