/** What evaluating a network on a batch gives `predict`: row-major `[N, K]` scores. */
export interface NetScores {
  scores: Float32Array;
  N: number;
  K: number;
  /** The last layer already gives probabilities (SoftMax, Sigmoid). */
  probabilities: boolean;
  /** The layer (SimpleNN) or variable (DagNN) the scores were read from. */
  output: string;
}
