/** The assignment's own request: the key the service is started with and the body the probe sends. */
import type { NotifyBody } from "./hash-data";

export const EXAMPLE_SECRET_KEY = "QJUHsPhnA0eiqHuJqsPgzhDozYO4f1zh";

/** The timestamp inside the example's cipher_data (4 September 2023). */
export const EXAMPLE_TIMESTAMP = 1693833763.2243981;

export const EXAMPLE_BODY: Readonly<NotifyBody> = Object.freeze({
  notification_type: "OutOfRange",
  researcher: "d.landau@uu.nl",
  measurement_id: "1234",
  experiment_id: "5678",
  cipher_data:
    "D5qnEHeIrTYmLwYX.hSZNb3xxQ9MtGhRP7E52yv2seWo4tUxYe28ATJVHUi0J++SFyfq5LQc0sTmiS4ILiM0/YsPHgp5fQKuRuuHLSyLA1WR9YIRS6nYrokZ68u4OLC4j26JW/QpiGmAydGKPIvV2ImD8t1NOUrejbnp/cmbMDUKO1hbXGPfD7oTvvk6JQVBAxSPVB96jDv7C4sGTmuEDZPoIpojcTBFP2xA",
});
