-- Users filter results on the swept game parameter and the weight ratio (sgn sweep results
-- --where lambda=0.5, ratio=10): those columns are indexed, and the filters read the columns
-- (sweep/queries.ts). Inserting a row costs ~0.8 us more server CPU for it (of ~9 us).
-- Migration 20261201000000 had dropped this index while no query used it.
CREATE INDEX "cell_results_sweep_id_game_param_ratio_idx" ON "cell_results"("sweep_id", "game_param", "ratio");
