// Shared by the store and by code that runs in worker threads (which must not load the engine).

/** Rows per INSERT at most (Akvorado's flush size; one part per insert, so fewer and larger is better). */
export const MAX_INSERT_ROWS = 50_000;
