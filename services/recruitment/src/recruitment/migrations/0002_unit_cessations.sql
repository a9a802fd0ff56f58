-- Cessations (merge, split, dissolution) kept apart from org_units: personnel keys them by another unit
-- than the ceased unit's OrgUnitRegistered, so they may arrive first. Registering a unit applies any
-- cessation already stored for it; storing a cessation applies it to a unit already registered.
CREATE TABLE org_unit_cessations (
    unit_id       text PRIMARY KEY,
    ceased_on     date NOT NULL,     -- first day the unit no longer exists (the earliest one known)
    successor_id  text,              -- the unit that continues it after a merge
    updated_at    timestamptz NOT NULL DEFAULT now()
);

INSERT INTO org_unit_cessations (unit_id, ceased_on, successor_id)
SELECT unit_id, ceased_on, successor_id FROM org_units WHERE ceased_on IS NOT NULL;
