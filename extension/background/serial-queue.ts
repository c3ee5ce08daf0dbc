/**
 * Runs tasks one after another. The background puts every request that opens a
 * card dialog through one queue, so a person never sees two PIN dialogs at once
 * and the card is never asked for two things at the same time.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** How many tasks are running or waiting. */
  get size(): number {
    return this.waiting;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(task);
    const done = () => {
      this.waiting--;
    };
    this.tail = result.then(done, done);
    return result;
  }
}
