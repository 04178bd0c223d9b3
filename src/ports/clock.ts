/** Time comes into the core as a value; this port supplies it. */
export interface Clock {
  now(): Date;
}
