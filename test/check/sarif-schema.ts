/** The subset of the SARIF 2.1.0 schema that sm-audit's output must satisfy (what GitHub code scanning reads). */
export const SARIF_SUBSET_SCHEMA = {
  type: "object",
  required: ["version", "runs", "$schema"],
  properties: {
    version: { const: "2.1.0" },
    $schema: { type: "string", pattern: "sarif" },
    runs: {
      type: "array", minItems: 1,
      items: {
        type: "object", required: ["tool", "results"],
        properties: {
          tool: {
            type: "object", required: ["driver"],
            properties: {
              driver: {
                type: "object", required: ["name", "rules"],
                properties: {
                  name: { type: "string" },
                  version: { type: "string" },
                  informationUri: { type: "string", pattern: "^https://" },
                  rules: {
                    type: "array", minItems: 1,
                    items: {
                      type: "object", required: ["id", "shortDescription", "fullDescription", "help", "helpUri", "defaultConfiguration", "properties"],
                      properties: {
                        id: { type: "string", minLength: 1 },
                        name: { type: "string" },
                        shortDescription: { $ref: "#/$defs/message" },
                        fullDescription: { $ref: "#/$defs/message" },
                        help: { type: "object", required: ["text", "markdown"], properties: { text: { type: "string" }, markdown: { type: "string" } } },
                        helpUri: { type: "string", pattern: "^https://" },
                        defaultConfiguration: { type: "object", required: ["level"], properties: { level: { $ref: "#/$defs/level" } } },
                        properties: { type: "object", required: ["tags"], properties: { tags: { type: "array", items: { type: "string" } } } },
                      },
                    },
                  },
                },
              },
            },
          },
          results: {
            type: "array",
            items: {
              type: "object", required: ["ruleId", "message", "level", "locations", "partialFingerprints"],
              properties: {
                ruleId: { type: "string" },
                ruleIndex: { type: "integer", minimum: 0 },
                level: { $ref: "#/$defs/level" },
                kind: { enum: ["pass", "open", "informational", "notApplicable", "review", "fail"] },
                message: { $ref: "#/$defs/message" },
                baselineState: { enum: ["new", "unchanged", "updated", "absent"] },
                partialFingerprints: { type: "object", additionalProperties: { type: "string" } },
                suppressions: { type: "array", items: { type: "object", required: ["kind"], properties: { kind: { enum: ["inSource", "external"] }, status: { enum: ["accepted", "underReview", "rejected"] }, justification: { type: "string" } } } },
                locations: {
                  type: "array", minItems: 1,
                  items: {
                    type: "object",
                    properties: {
                      physicalLocation: {
                        type: "object", required: ["artifactLocation"],
                        properties: {
                          artifactLocation: { type: "object", required: ["uri"], properties: { uri: { type: "string", not: { pattern: "^/" } } } },
                          region: { type: "object", required: ["startLine"], properties: { startLine: { type: "integer", minimum: 1 } } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  $defs: {
    message: { type: "object", required: ["text"], properties: { text: { type: "string", minLength: 1 } } },
    level: { enum: ["none", "note", "warning", "error"] },
  },
} as const;
