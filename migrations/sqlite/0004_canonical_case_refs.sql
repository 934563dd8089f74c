-- Case references cross the store boundary as validated `CaseRef`s, always in the canonical
-- form (`UB-7K3QF9`). The column keeps its COLLATE NOCASE (changing a column's collation
-- means rebuilding the table); with canonical references on both sides it changes nothing.
-- Earlier rows were written canonical too; upper-casing them here makes sure, as on
-- PostgreSQL, so that both backends hold the same text.
UPDATE cases SET case_ref = upper(case_ref) WHERE case_ref <> upper(case_ref) COLLATE BINARY;
UPDATE staff_pending SET case_ref = upper(case_ref) WHERE case_ref <> upper(case_ref);
