/** Gateway processes and their heartbeats: leases know whether their owner is alive (docs/leases.md). */

/** A running gateway process, as it announces itself. */
export interface InstanceRecord {
  /** The lease owner name of this process. */
  id: string;
  host: string;
  pid: number;
  startedAt: number;
}

export interface InstanceState extends InstanceRecord {
  /** Milliseconds since its last heartbeat, by the database's clock. */
  silentMs: number;
}

/** An instance whose heartbeat stopped, and how many of its leases were given up. */
export interface SilentInstance {
  id: string;
  released: number;
}

export interface InstanceStore {
  /** Records a heartbeat (the row is created if missing), stamped with the database's clock. */
  beat(instance: InstanceRecord): Promise<void>;
  getInstance(id: string): Promise<InstanceState | undefined>;
  /** Releases the leases of every instance silent for longer than `silentMs` and forgets those instances. */
  takeOverSilentInstances(silentMs: number): Promise<SilentInstance[]>;
  /** Forgets an instance at its graceful stop. */
  removeInstance(id: string): Promise<void>;
  /** Gives up every lease of every owner: at the start of a backend where only one process delivers. */
  releaseAllLeases(): Promise<number>;
}
