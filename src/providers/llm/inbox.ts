/**
 * An unbounded single-consumer queue: producers push without waiting, the one consumer awaits
 * `next()`. The fallback chain funnels every provider event, failure and timer into one, so its
 * decisions happen one at a time, in arrival order.
 */
export class Inbox<T> {
  private readonly items: T[] = [];
  private waiter: ((item: T) => void) | undefined;

  push(item: T): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(item);
    } else {
      this.items.push(item);
    }
  }

  next(): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift() as T);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}
