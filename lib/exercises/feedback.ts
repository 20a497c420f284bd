import { markdown } from "../display";

/** Thrown by exercise checks: the message says what is wrong and how to fix it. */
export class ExerciseError extends Error {
  constructor(exercise: string, problem: string) {
    super(`${exercise}: ${problem}`);
    this.name = "ExerciseError";
  }
}

export function passed(exercise: string, detail: string): void {
  markdown(`✔ **${exercise}** passed: ${detail}`);
}
