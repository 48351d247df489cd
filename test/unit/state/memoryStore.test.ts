import { createMemoryStore } from "../../../src/state/memoryStore.js";
import { describeStore } from "./storeContract.js";

describeStore("memory store", () => {
  const store = createMemoryStore();
  return { store, cleanup: () => store.close() };
});
