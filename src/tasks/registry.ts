import { isScheduleEntry, isTask, type AnyTask, type ScheduleEntry } from './define-task.ts';
import { UnknownTaskError } from './errors.ts';

/** The tasks and periodic entries a process knows (Celery's app.tasks + beat_schedule). */
export class TaskRegistry {
  private readonly tasks = new Map<string, AnyTask>();
  private readonly celeryTasks = new Map<string, AnyTask>();
  private readonly schedules = new Map<string, ScheduleEntry>();

  /** Adds a task; a second task with the same name, or answering to the same Celery name, is refused. */
  register(task: AnyTask, source = '(direct)'): void {
    const existing = this.tasks.get(task.name);
    if (existing === task) return;
    if (existing) throw new Error(`duplicate task name "${task.name}" (again in ${source})`);
    const celeryName = task.celery?.name;
    const rival = celeryName === undefined ? undefined : this.celeryTasks.get(celeryName);
    if (celeryName !== undefined && rival) {
      throw new Error(`duplicate Celery task name "${celeryName}": ${rival.name} and ${task.name} both answer to it (again in ${source})`);
    }
    this.tasks.set(task.name, task);
    if (celeryName !== undefined) this.celeryTasks.set(celeryName, task);
  }

  addSchedule(entry: ScheduleEntry, source = '(direct)'): void {
    const existing = this.schedules.get(entry.id);
    if (existing === entry) return;
    if (existing) throw new Error(`duplicate schedule id "${entry.id}" (again in ${source})`);
    this.schedules.set(entry.id, entry);
  }

  /** Registers every task and schedule entry a `*.tasks.ts` module exports. */
  addModule(exports: Record<string, unknown>, source: string): void {
    for (const value of Object.values(exports)) {
      const entries = Array.isArray(value) ? (value as unknown[]) : [value];
      for (const entry of entries) {
        if (isTask(entry)) this.register(entry, source);
        else if (isScheduleEntry(entry)) this.addSchedule(entry, source);
      }
    }
  }

  /** Fails when a schedule names a task that is not registered. */
  assertConsistent(): void {
    for (const entry of this.schedules.values()) {
      if (!this.tasks.has(entry.task.name)) {
        throw new Error(`schedule "${entry.id}" runs task "${entry.task.name}", which is not registered`);
      }
    }
  }

  get(name: string): AnyTask | undefined {
    return this.tasks.get(name);
  }

  /** @throws UnknownTaskError with the list of known names. */
  require(name: string): AnyTask {
    const task = this.tasks.get(name);
    if (!task) throw new UnknownTaskError(name, this.names());
    return task;
  }

  /** The task that answers Celery messages of `celeryName` (its `celery.name`). */
  byCeleryName(celeryName: string): AnyTask | undefined {
    return this.celeryTasks.get(celeryName);
  }

  names(): string[] {
    return [...this.tasks.keys()].sort();
  }

  list(): AnyTask[] {
    return this.names().map((name) => this.require(name));
  }

  scheduleEntries(): ScheduleEntry[] {
    return [...this.schedules.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}
