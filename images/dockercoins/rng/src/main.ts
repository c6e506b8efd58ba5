import { runLessonService } from "@container-labs/dockercoins-kit";
import { buildRngApp } from "./app";

runLessonService("rng", buildRngApp);
