/**
 * AWS errors as each service spells them. A handler throws a SimError; the server renders it
 * in the wire protocol of the service (JSON `__type`, query `<ErrorResponse>`, EC2 `<Response>`).
 */

/** The six services the simulator serves. */
export type ServiceName = "secretsmanager" | "kms" | "cloudtrail" | "organizations" | "sts" | "ec2";

/** An AWS error response. */
export class SimError extends Error {
  readonly code: string;
  readonly status: number;
  /** `Sender` (client fault) or `Receiver` (server fault), as the query protocol reports it. */
  readonly faultType: "Sender" | "Receiver";

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = "SimError";
    this.code = code;
    this.status = status;
    this.faultType = status >= 500 ? "Receiver" : "Sender";
  }
}

/** The service's access-denied error. */
export function accessDenied(service: ServiceName, message: string): SimError {
  if (service === "ec2") return new SimError("UnauthorizedOperation", message, 403);
  if (service === "sts") return new SimError("AccessDenied", message, 403);
  return new SimError("AccessDeniedException", message, 400);
}

/** The service's throttling error (EC2: HTTP 503 RequestLimitExceeded). */
export function throttled(service: ServiceName): SimError {
  switch (service) {
    case "ec2":
      return new SimError("RequestLimitExceeded", "Request limit exceeded.", 503);
    case "sts":
      return new SimError("Throttling", "Rate exceeded", 400);
    case "organizations":
      return new SimError("TooManyRequestsException", "You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.", 400);
    default:
      return new SimError("ThrottlingException", "Rate exceeded", 400);
  }
}

/** The error for temporary credentials past their expiration. */
export function expiredToken(service: ServiceName): SimError {
  if (service === "ec2") return new SimError("RequestExpired", "Request has expired.", 400);
  if (service === "sts") return new SimError("ExpiredToken", "The security token included in the request is expired", 400);
  return new SimError("ExpiredTokenException", "The security token included in the request is expired", 400);
}

/** The error for an access key the simulator does not know. */
export function invalidToken(service: ServiceName): SimError {
  if (service === "ec2") return new SimError("AuthFailure", "AWS was not able to validate the provided access credentials", 401);
  if (service === "sts") return new SimError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
  return new SimError("UnrecognizedClientException", "The security token included in the request is invalid.", 400);
}

/** A server-side failure (HTTP 500 or 503). */
export function serverError(service: ServiceName, status: 500 | 503): SimError {
  if (service === "ec2") return status === 500 ? new SimError("InternalError", "An internal error has occurred", 500) : new SimError("Unavailable", "The server is overloaded and can't handle the request.", 503);
  return status === 500
    ? new SimError("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500)
    : new SimError("ServiceUnavailable", "The request has failed due to a temporary failure of the server.", 503);
}

/** A request the service rejects as malformed. */
export function validation(service: ServiceName, message: string): SimError {
  if (service === "ec2") return new SimError("InvalidParameterValue", message, 400);
  if (service === "sts") return new SimError("ValidationError", message, 400);
  if (service === "secretsmanager") return new SimError("InvalidParameterException", message, 400);
  if (service === "cloudtrail") return new SimError("InvalidParameterException", message, 400);
  if (service === "organizations") return new SimError("InvalidInputException", message, 400);
  return new SimError("ValidationException", message, 400);
}
