-- No query reads cell_results by (sweep_id, game_param, ratio), and the index cost ~1.5 us
-- of the ~22 us of server CPU per inserted row in the sweep benchmark.
-- DropIndex
DROP INDEX "cell_results_sweep_id_game_param_ratio_idx";
