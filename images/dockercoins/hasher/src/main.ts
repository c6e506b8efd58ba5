import { runLessonService } from "@container-labs/dockercoins-kit";
import { buildHasherApp } from "./app";

runLessonService("hasher", buildHasherApp);
