// Notebooks run in two sizes: "full" follows the guide's settings; "quick" is sized for CPU CI.
export type Profile = "quick" | "full";
export const PROFILES: readonly Profile[] = ["quick", "full"];
export const PROFILE_ENV = "COURSE_PROFILE";

export function currentProfile(env: NodeJS.ProcessEnv = process.env): Profile {
  const value = env[PROFILE_ENV];
  if (value === undefined || value === "") return "full";
  if (!PROFILES.includes(value as Profile)) {
    throw new Error(`${PROFILE_ENV}=${value} is not a profile: use "quick" (small, for CPU CI) or "full" (the guide's settings).`);
  }
  return value as Profile;
}

/** Picks the setting for the current profile: `byProfile({ quick: 1, full: 5 })`. */
export function byProfile<T>(choices: Record<Profile, T>, env: NodeJS.ProcessEnv = process.env): T {
  return choices[currentProfile(env)];
}
