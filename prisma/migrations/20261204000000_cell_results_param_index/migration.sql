-- Users filter results on the swept game parameter and the weight ratio (sgn sweep results
-- --where lambda=0.5, ratio=10): those columns are indexed, and the filters read the columns
-- (sweep/queries.ts). A BRIN index: cells are appended in cell order, with the swept parameter
-- the outer axis and the ratio the inner one, so a block range of a sweep holds a few of its
-- parameter values and the index skips the others. It costs ~0.3 us of server CPU per inserted
-- row (a B-tree on the same columns ~1.2 us, of ~9 in all), and autosummarize has autovacuum summarize
-- new ranges as they fill. Migration 20261201000000 had dropped a B-tree here while no query
-- used it.
CREATE INDEX "cell_results_sweep_id_game_param_ratio_idx" ON "cell_results" USING BRIN ("sweep_id", "game_param", "ratio") WITH (pages_per_range = 16, autosummarize = on);
