export async function appBench(): Promise<void> {
  console.log("\n## App (webhook → check) — added with the fake GitHub");
}
