-- Cell results are keyed by (sweep_id, cell_index) and belong to their sweep without a foreign
-- key. Inserting a row paid for three B-tree entries (the bigint id, (sweep_id, cell_key) and
-- (sweep_id, cell_index)), a sequence step and a per-row foreign-key check: ~15 us of server CPU
-- a row. Now two entries and no per-row check, ~10.5 us (the sweep benchmark, 20,000 rows).
-- Integrity is kept by other means:
--   inserts: the insert statement of the sweep worker checks the sweep once per statement and locks
--     its row FOR KEY SHARE (what the foreign key did per row), or fails (db/cell-batches.ts)
--   deletes: the trigger below deletes the cell results of a deleted sweep (ON DELETE CASCADE did)
-- Rows come in cell order, so the new primary key is also the range index that the batch
-- bookkeeping and the band-map fold scan.
-- (No semicolons or apostrophes in comments: the migration runner splits statements on them.)

ALTER TABLE "cell_results" DROP CONSTRAINT "cell_results_sweep_id_fkey";

DROP INDEX "cell_results_sweep_id_cell_index_idx";

ALTER TABLE "cell_results" DROP CONSTRAINT "cell_results_pkey",
DROP COLUMN "id",
ADD CONSTRAINT "cell_results_pkey" PRIMARY KEY ("sweep_id", "cell_index");

-- The function body spells its semicolons as the escape \073 for the same reason.
CREATE FUNCTION "delete_sweep_cell_results"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN DELETE FROM "cell_results" WHERE "sweep_id" = OLD."id"\073 RETURN OLD\073 END'
;

CREATE TRIGGER "sweeps_delete_cell_results" AFTER DELETE ON "sweeps"
FOR EACH ROW EXECUTE FUNCTION "delete_sweep_cell_results"();
