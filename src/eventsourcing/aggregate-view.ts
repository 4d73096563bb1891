/** The materialized state of one aggregate, with the version it reflects. */
export interface AggregateView<S> {
  readonly version: number;
  readonly state: S;
  /** Commit time of the last event folded in. */
  readonly updatedAt: number;
}
