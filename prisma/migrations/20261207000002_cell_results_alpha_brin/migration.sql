-- Filters on alpha (sgn sweep results, where alpha>0.9, sweep/query-sql.ts) read the BRIN index
-- too: alpha is smooth in the swept parameter, the outer axis of cell order, so the min and max
-- of a block range skip most of a large sweep. On a 1,000,000-cell sweep alpha>0.9 (3,659 cells)
-- was counted in 28 ms instead of a 242 ms parallel scan, and the index stays ~300 kB
-- (docs/benchmarks.md). One more column of the same BRIN index, not another index.
DROP INDEX "cell_results_sweep_id_game_param_ratio_idx";
CREATE INDEX "cell_results_sweep_id_game_param_ratio_alpha_idx" ON "cell_results" USING BRIN ("sweep_id", "game_param", "ratio", "alpha") WITH (pages_per_range = 16, autosummarize = on);
