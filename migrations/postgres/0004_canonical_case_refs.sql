-- Case references cross the store boundary as validated `CaseRef`s, always in the canonical
-- form (`UB-7K3QF9`), so they are compared as they are, as on SQLite, and the statements
-- that name a case are the same text on both backends. Earlier rows were written canonical
-- too (references are generated, never typed in); upper-casing them here makes sure.
UPDATE cases SET case_ref = upper(case_ref) WHERE case_ref <> upper(case_ref);
UPDATE staff_pending SET case_ref = upper(case_ref) WHERE case_ref <> upper(case_ref);

CREATE UNIQUE INDEX cases_case_ref_key ON cases (case_ref);
DROP INDEX cases_case_ref_upper;

-- With references upper-case, unique is unique ignoring case, as on SQLite (COLLATE NOCASE).
ALTER TABLE cases ADD CONSTRAINT cases_case_ref_canonical CHECK (case_ref = upper(case_ref));
