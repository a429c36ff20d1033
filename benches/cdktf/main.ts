// The chat's `kite` and `local` stacks as a cdktf app: the cdktf side of
// kite's synthesis benchmark (issue 11). Same stacks, resources, data
// sources, providers and construct paths as the original cdktf app (its
// output: tests/fixtures/reference/), written with the typed
// provider bindings as a cdktf user writes them.
//
//   npx tsc && node dist/main.js [OUT_DIR]   # OUT_DIR: cdktf.out
//
// Reads KITE_DOMAIN, CLOUDFLARE_API_TOKEN and KITE_LAMBDA_ZIP from the
// environment (`node --env-file=.env dist/main.js` reads kite's `.env`).

import * as path from "path";
import { Construct, IConstruct } from "constructs";
import {
  App,
  Aspects,
  AssetType,
  IAspect,
  ITerraformDependable,
  LocalBackend,
  S3Backend,
  TerraformAsset,
  TerraformOutput,
  TerraformStack,
} from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2ApiMapping } from "@cdktf/provider-aws/lib/apigatewayv2-api-mapping";
import { Apigatewayv2DomainName } from "@cdktf/provider-aws/lib/apigatewayv2-domain-name";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2IntegrationResponse } from "@cdktf/provider-aws/lib/apigatewayv2-integration-response";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2RouteResponse } from "@cdktf/provider-aws/lib/apigatewayv2-route-response";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaAlias } from "@cdktf/provider-aws/lib/lambda-alias";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { DataCloudflareZone } from "@cdktf/provider-cloudflare/lib/data-cloudflare-zone";
import { DnsRecord } from "@cdktf/provider-cloudflare/lib/dns-record";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { Container } from "@cdktf/provider-docker/lib/container";
import { Image } from "@cdktf/provider-docker/lib/image";

const QUARKUS_HANDLER =
  "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
const STAGE = "prod";
const LOG_RETENTION_DAYS = 7;

// ---------------------------------------------------------------- settings

interface Config {
  domain?: string;
  lambdaZip: string;
  stateBucket: string;
  stateRegion: string;
}

function readConfig(): Config {
  const raw = process.env.KITE_DOMAIN;
  let domain: string | undefined;
  if (raw !== undefined && raw.trim() !== "") {
    domain = raw.trim().replace(/\.$/, "").toLowerCase();
    if (!process.env.CLOUDFLARE_API_TOKEN) {
      throw new Error(
        `KITE_DOMAIN is set to \`${domain}\`, but CLOUDFLARE_API_TOKEN is not`,
      );
    }
  }
  return {
    domain,
    lambdaZip: path.resolve(
      process.env.KITE_LAMBDA_ZIP ?? "../k1te-serverless/target/function.zip",
    ),
    stateBucket: process.env.KITE_STATE_BUCKET ?? "k1te-chat-tfstate",
    stateRegion: process.env.KITE_STATE_REGION ?? "eu-north-1",
  };
}

// ------------------------------------------------------------------ aspects

type Taggable = IConstruct & {
  tags?: { [key: string]: string };
  tagsInput?: { [key: string]: string };
  terraformResourceType?: string;
};

/** The tags aspect of the cdktf documentation, for AWS resources only. */
class TagsAddingAspect implements IAspect {
  constructor(private readonly tags: Record<string, string>) {}

  visit(node: IConstruct): void {
    const t = node as Taggable;
    if (
      "tags" in t &&
      "tagsInput" in t &&
      typeof t.terraformResourceType === "string" &&
      t.terraformResourceType.startsWith("aws_")
    ) {
      t.tags = { ...this.tags, ...(t.tagsInput ?? {}) };
    }
  }
}

// --------------------------------------------------------------- constructs

function policy(statements: object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

function assumeRolePolicy(service: string): string {
  return policy([
    {
      Action: "sts:AssumeRole",
      Effect: "Allow",
      Principal: { Service: [service] },
    },
  ]);
}

/** The chat's tables `<id>.Channels` and `<id>.Members`. */
class DynamodbSchema extends Construct {
  readonly channels: DynamodbTable;
  readonly members: DynamodbTable;

  constructor(
    scope: Construct,
    id: string,
    pointInTimeRecovery: boolean,
    channelsDependOn?: ITerraformDependable[],
  ) {
    super(scope, id);
    this.channels = new DynamodbTable(this, "Channels", {
      name: `${id}.Channels`,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "name",
      attribute: [{ name: "name", type: "S" }],
      ttl: { attributeName: "ttl", enabled: true },
      pointInTimeRecovery: { enabled: pointInTimeRecovery },
      lifecycle: { preventDestroy: false },
      dependsOn: channelsDependOn,
    });
    this.members = new DynamodbTable(this, "Members", {
      name: `${id}.Members`,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "channelName",
      rangeKey: "id",
      attribute: [
        { name: "channelName", type: "S" },
        { name: "id", type: "S" },
        { name: "connectionUri", type: "S" },
      ],
      globalSecondaryIndex: [
        {
          name: "ByConnection",
          hashKey: "connectionUri",
          projectionType: "ALL",
        },
      ],
      pointInTimeRecovery: { enabled: pointInTimeRecovery },
      lifecycle: { preventDestroy: false },
      dependsOn: [this.channels],
    });
  }
}

/** A role for an AWS service, with AWS-managed policies attached. */
class ServiceRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, service: string) {
    super(scope, id);
    this.role = new IamRole(this, id, {
      name: id,
      assumeRolePolicy: assumeRolePolicy(service),
    });
  }

  attachManagedPolicy(name: string): void {
    const short = name.split("/").pop();
    new IamRolePolicyAttachment(
      this,
      `${this.node.id}-managed-${short}-attachment`,
      {
        role: this.role.name,
        policyArn: `arn:aws:iam::aws:policy/${name}`,
      },
    );
  }
}

/** API Gateway's CloudWatch role for the account and region. */
class ApiGatewayPrincipal extends Construct {
  readonly role: ServiceRole;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new ServiceRole(
      this,
      "api-gateway-execution-role",
      "apigateway.amazonaws.com",
    );
    this.role.attachManagedPolicy(
      "service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    );
    new ApiGatewayAccount(this, "account", {
      cloudwatchRoleArn: this.role.role.arn,
    });
    new CloudwatchLogGroup(this, "welcome-logs", {
      name: "/aws/apigateway/welcome",
      retentionInDays: 1,
    });
  }
}

interface HandlerProps {
  role: IamRole;
  asset: TerraformAsset;
  kind: string;
  wsEndpoint: string;
}

/** A Lambda function with its log group and alias. */
class Handler extends Construct {
  readonly fn: LambdaFunction;
  readonly alias: LambdaAlias;

  constructor(scope: Construct, id: string, props: HandlerProps) {
    super(scope, id);
    new CloudwatchLogGroup(this, "logs", {
      name: `/aws/lambda/${id}`,
      retentionInDays: LOG_RETENTION_DAYS,
    });
    this.fn = new LambdaFunction(this, "fn", {
      functionName: id,
      role: props.role.arn,
      filename: props.asset.path,
      sourceCodeHash: props.asset.assetHash,
      handler: QUARKUS_HANDLER,
      runtime: "java17",
      architectures: ["arm64"],
      memorySize: 128,
      timeout: 15,
      environment: {
        variables: {
          QUARKUS_LAMBDA_HANDLER: props.kind,
          SERVERLESS_ENVIRONMENT: STAGE,
          WS_API_EXECUTION_ENDPOINT: props.wsEndpoint,
        },
      },
    });
    this.alias = new LambdaAlias(this, "alias", {
      name: `${this.fn.functionName}-alias`,
      functionName: this.fn.functionName,
      functionVersion: this.fn.version,
      lifecycle: { ignoreChanges: ["function_version"] },
    });
  }

  allowInvocation(principal: string, sourceArn: string): LambdaPermission {
    const id = `allow-invocation-for-${principal.replace(/\./g, "-")}`;
    return new LambdaPermission(this, id, {
      action: "lambda:InvokeFunction",
      functionName: this.fn.functionName,
      principal,
      qualifier: this.alias.name,
      sourceArn,
      statementId: id,
    });
  }
}

/** A Cloudflare zone, looked up by name, with records. */
class CloudflareZone extends Construct {
  readonly zone: DataCloudflareZone;

  constructor(scope: Construct, domain: string) {
    super(scope, domain);
    this.zone = new DataCloudflareZone(this, "zone", {
      filter: { name: domain },
    });
  }

  record(id: string, name: string, type: string, content: string): DnsRecord {
    const holder = new Construct(this, id);
    return new DnsRecord(holder, "record", {
      zoneId: this.zone.zoneId,
      name,
      type,
      content,
      ttl: 1,
      proxied: false,
      tags: [],
    });
  }
}

/** An ACM certificate for a zone and its wildcard, validated by DNS. */
class DnsValidatedCertificate extends Construct {
  readonly certificate: AcmCertificate;
  readonly validation: AcmCertificateValidation;

  constructor(scope: Construct, id: string, zone: CloudflareZone) {
    super(scope, id);
    this.certificate = new AcmCertificate(this, "certificate", {
      domainName: zone.zone.name,
      subjectAlternativeNames: [`*.${zone.zone.name}`],
      validationMethod: "DNS",
      lifecycle: { createBeforeDestroy: true },
    });
    // The apex and the wildcard share one validation record.
    const option = this.certificate.domainValidationOptions.get(1);
    const record = zone.record(
      `${id}-validation-record`,
      option.resourceRecordName,
      option.resourceRecordType,
      option.resourceRecordValue,
    );
    this.validation = new AcmCertificateValidation(this, "validation", {
      certificateArn: this.certificate.arn,
      dependsOn: [record],
    });
  }
}

interface StageSettings {
  accessLogFormat: object;
}

function stageResource(
  scope: Construct,
  api: Apigatewayv2Api,
  logs: CloudwatchLogGroup,
  settings: StageSettings,
): Apigatewayv2Stage {
  return new Apigatewayv2Stage(scope, "stage", {
    apiId: api.id,
    name: STAGE,
    autoDeploy: true,
    accessLogSettings: {
      destinationArn: logs.arn,
      format: JSON.stringify(settings.accessLogFormat),
    },
    defaultRouteSettings: {
      dataTraceEnabled: true,
      detailedMetricsEnabled: false,
      loggingLevel: "INFO",
      throttlingBurstLimit: 5,
      throttlingRateLimit: 10,
    },
  });
}

function customDomain(
  scope: Construct,
  host: string,
  certificate: DnsValidatedCertificate,
): Apigatewayv2DomainName {
  return new Apigatewayv2DomainName(scope, "domain-name", {
    domainName: host,
    domainNameConfiguration: {
      certificateArn: certificate.certificate.arn,
      endpointType: "REGIONAL",
      securityPolicy: "TLS_1_2",
    },
    dependsOn: [certificate.validation],
  });
}

const COMMON_LOG_FIELDS = {
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
};
const TAIL_LOG_FIELDS = {
  responseLatency: "$context.responseLatency",
  integrationRequestId: "$context.integration.requestId",
  functionResponseStatus: "$context.integration.status",
  integrationLatency: "$context.integration.latency",
  integrationServiceStatus: "$context.integration.integrationStatus",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  principalId: "$context.authorizer.principalId",
};

/** The WebSocket API and its stage: routes to a handler, and PING → PONG. */
class WebSocketApi extends Construct {
  readonly api: Apigatewayv2Api;
  readonly stageScope: Construct;
  readonly stage: Apigatewayv2Stage;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.api = new Apigatewayv2Api(this, id, {
      name: id,
      protocolType: "WEBSOCKET",
      routeSelectionExpression: "$request.body.[0]",
    });
    this.stageScope = new Construct(this, `${STAGE}-stage`);
    const accessLogs = new CloudwatchLogGroup(this.stageScope, "access-logs", {
      name: `/aws/apigateway/${this.api.name}/${STAGE}/access-logs`,
      retentionInDays: LOG_RETENTION_DAYS,
    });
    new CloudwatchLogGroup(this.stageScope, "execution-logs", {
      name: `/aws/apigateway/${this.api.id}/${STAGE}`,
      retentionInDays: LOG_RETENTION_DAYS,
    });
    this.stage = stageResource(this.stageScope, this.api, accessLogs, {
      accessLogFormat: {
        ...COMMON_LOG_FIELDS,
        eventType: "$context.eventType",
        routeKey: "$context.routeKey",
        status: "$context.status",
        connectionId: "$context.connectionId",
        ...TAIL_LOG_FIELDS,
      },
    });
    new TerraformOutput(this.stageScope, "url", {
      value: this.stage.invokeUrl,
    });
  }

  /** $connect, $disconnect and $default go to the handler's alias. */
  routeTo(handler: Handler, role: IamRole): void {
    const s = this.stageScope;
    const integration = new Apigatewayv2Integration(s, "default-integration", {
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationUri: handler.alias.arn,
      credentialsArn: role.arn,
      contentHandlingStrategy: "CONVERT_TO_TEXT",
      passthroughBehavior: "WHEN_NO_MATCH",
    });
    new Apigatewayv2IntegrationResponse(s, "default-integration-response", {
      apiId: this.api.id,
      integrationId: integration.id,
      integrationResponseKey: "/200/",
    });
    for (const [name, key] of [
      ["connect", "$connect"],
      ["disconnect", "$disconnect"],
      ["default", "$default"],
    ]) {
      const route = new Apigatewayv2Route(s, `${name}-route`, {
        apiId: this.api.id,
        routeKey: key,
        target: `integrations/${integration.id}`,
      });
      new Apigatewayv2RouteResponse(s, `${name}-route-response`, {
        apiId: this.api.id,
        routeId: route.id,
        routeResponseKey: "$default",
      });
    }
  }

  /** PING, answered by API Gateway. */
  mockRoute(routeKey: string, response: string): void {
    const s = this.stageScope;
    const name = routeKey.toLowerCase();
    const integration = new Apigatewayv2Integration(s, `${name}-integration`, {
      apiId: this.api.id,
      integrationType: "MOCK",
      requestTemplates: { "200": '{"statusCode":200}' },
      templateSelectionExpression: "200",
    });
    new Apigatewayv2IntegrationResponse(s, `${name}-integration-response`, {
      apiId: this.api.id,
      integrationId: integration.id,
      integrationResponseKey: "/200/",
      responseTemplates: { "200": response },
      templateSelectionExpression: "200",
    });
    const route = new Apigatewayv2Route(s, `${name}-route`, {
      apiId: this.api.id,
      routeKey,
      routeResponseSelectionExpression: "$default",
      target: `integrations/${integration.id}`,
    });
    new Apigatewayv2RouteResponse(s, `${name}-route-response`, {
      apiId: this.api.id,
      routeId: route.id,
      routeResponseKey: "$default",
    });
  }

  customDomain(host: string, certificate: DnsValidatedCertificate): Apigatewayv2DomainName {
    const domain = customDomain(this, host, certificate);
    const mapping = new Apigatewayv2ApiMapping(this.stageScope, "domain-mapping", {
      apiId: this.api.id,
      apiMappingKey: STAGE,
      domainName: domain.domainName,
      stage: STAGE,
    });
    new TerraformOutput(this.stageScope, "mapped-url", {
      value: `wss://${mapping.domainName}/${STAGE}`,
    });
    return domain;
  }
}

/** The HTTP API and its stage: the Telegram webhook. */
class HttpApi extends Construct {
  readonly api: Apigatewayv2Api;
  readonly stageScope: Construct;
  readonly stage: Apigatewayv2Stage;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.api = new Apigatewayv2Api(this, "api", {
      name: id,
      protocolType: "HTTP",
    });
    this.stageScope = new Construct(this, `${STAGE}-stage`);
    const accessLogs = new CloudwatchLogGroup(this.stageScope, "access-logs", {
      name: `/aws/apigateway/${this.api.name}/${STAGE}/access-logs`,
      retentionInDays: LOG_RETENTION_DAYS,
    });
    this.stage = stageResource(this.stageScope, this.api, accessLogs, {
      accessLogFormat: {
        ...COMMON_LOG_FIELDS,
        httpMethod: "$context.httpMethod",
        path: "$context.path",
        routeKey: "$context.routeKey",
        status: "$context.status",
        ...TAIL_LOG_FIELDS,
      },
    });
    new TerraformOutput(this.stageScope, "url", {
      value: this.stage.invokeUrl,
    });
  }

  lambdaRoute(routeKey: string, handler: Handler): void {
    const scope = new Construct(this.stageScope, routeKey);
    const integration = new Apigatewayv2Integration(scope, "lambda-integration", {
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationUri: handler.alias.arn,
      payloadFormatVersion: "2.0",
    });
    new Apigatewayv2Route(scope, "route", {
      apiId: this.api.id,
      routeKey,
      target: `integrations/${integration.id}`,
    });
    handler.allowInvocation(
      "apigateway.amazonaws.com",
      `${this.api.executionArn}/*/*`,
    );
  }

  customDomain(host: string, certificate: DnsValidatedCertificate): Apigatewayv2DomainName {
    const domain = customDomain(this, host, certificate);
    const mapping = new Apigatewayv2ApiMapping(this.stageScope, "name-mapping", {
      apiId: this.api.id,
      apiMappingKey: STAGE,
      domainName: domain.domainName,
      stage: STAGE,
    });
    new TerraformOutput(this.stageScope, "mapped-url", {
      value: `https://${mapping.domainName}/${STAGE}`,
    });
    return domain;
  }
}

// ------------------------------------------------------------------- stacks

class KiteStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: Config) {
    super(scope, id);
    new AwsProvider(this, "aws", {});
    new S3Backend(this, {
      bucket: config.stateBucket,
      key: `${id}/terraform.tfstate`,
      region: config.stateRegion,
    });
    Aspects.of(this).add(new TagsAddingAspect({ app: "k1te-chat" }));
    const region = new DataAwsRegion(this, "current-region", {});

    new DynamodbSchema(this, STAGE, false);

    const lambdaRole = new ServiceRole(
      this,
      "lambda-execution-role",
      "lambda.amazonaws.com",
    );
    lambdaRole.attachManagedPolicy("service-role/AWSLambdaBasicExecutionRole");
    const apiGateway = new ApiGatewayPrincipal(this, "apigateway-principal");

    const code = new Construct(this, "k1te-serverless");
    const asset = new TerraformAsset(code, "asset", {
      path: config.lambdaZip,
      type: AssetType.FILE,
    });
    new TerraformOutput(code, "path", { value: asset.path });

    const wsApi = new WebSocketApi(this, "ws-api");
    const wsEndpoint = `https://${wsApi.api.id}.execute-api.${region.region}.amazonaws.com/${STAGE}`;
    const handler = (id: string, kind: string) =>
      new Handler(this, id, { role: lambdaRole.role, asset, kind, wsEndpoint });
    const wsHandler = handler("ws-handler", "ws");
    const tgHandler = handler("tg-handler", "tg");
    const lifecycleHandler = handler("lifecycle-handler", "lifecycle");

    // WebSocket API: connection events and messages go to ws-handler, as
    // API Gateway's role; PING is answered by API Gateway.
    wsApi.routeTo(wsHandler, apiGateway.role.role);
    apiGateway.role.role.putInlinePolicy([
      {
        name: `allow-invoke-${wsHandler.fn.functionName}`,
        policy: policy([
          {
            Action: "lambda:InvokeFunction",
            Resource: wsHandler.alias.arn,
            Effect: "Allow",
          },
        ]),
      },
    ]);
    wsApi.mockRoute("PING", '["PONG"]');

    // HTTP API: the Telegram webhook.
    const httpApi = new HttpApi(this, "http-api");
    httpApi.lambdaRoute("ANY /tg", tgHandler);

    // The handlers may post to WebSocket clients.
    lambdaRole.role.putInlinePolicy([
      {
        name: `allow-execute-api-ws-api-${STAGE}`,
        policy: policy([
          {
            Action: "execute-api:*",
            Resource: `arn:aws:execute-api:*:*:ws-api/${STAGE}/*/*`,
            Effect: "Allow",
          },
        ]),
      },
    ]);

    // The lifecycle handler runs on every apply and destroy.
    new LambdaInvocation(this, "lifecycle-invocation", {
      functionName: lifecycleHandler.fn.functionName,
      input: "{}",
      lifecycleScope: "CRUD",
    });

    if (config.domain !== undefined) {
      const domain = config.domain;
      // The token reaches the provider through the environment only.
      new CloudflareProvider(this, "cloudflare", {});
      const zone = new CloudflareZone(this, domain);
      const certificate = new DnsValidatedCertificate(this, `${domain}-cert`, zone);

      const wsHost = `ws.${domain}`;
      const wsDomain = wsApi.customDomain(wsHost, certificate);
      zone.record(
        wsHost,
        wsHost,
        "CNAME",
        wsDomain.domainNameConfiguration.targetDomainName,
      );

      const apiHost = `api.${domain}`;
      const apiDomain = httpApi.customDomain(apiHost, certificate);
      zone.record(
        apiHost,
        apiHost,
        "CNAME",
        apiDomain.domainNameConfiguration.targetDomainName,
      );
    }
  }
}

class LocalStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const root = process.cwd();
    new LocalBackend(this, { path: path.join(root, "terraform.local.tfstate") });
    new DockerProvider(this, "docker", {});

    // DynamoDB Local in Docker, its data on the host.
    const dynamodb = new Construct(this, "dynamodb-local");
    const image = new Image(dynamodb, "dynamodb-local-image", {
      name: "amazon/dynamodb-local",
    });
    const container = new Container(dynamodb, "dynamodb-local-container", {
      name: "dynamodb-local",
      image: image.imageId,
      command: ["-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "./data"],
      workingDir: "/home/dynamodblocal",
      ports: [{ internal: 8000, external: 8000 }],
      volumes: [
        {
          containerPath: "/home/dynamodblocal/data",
          hostPath: path.join(root, "docker/dynamodb"),
        },
      ],
    });

    // The tables are created in the container; nothing reaches AWS.
    new AwsProvider(this, "aws", {
      region: "eu-north-1",
      endpoints: [{ dynamodb: "http://localhost:8000" }],
      skipCredentialsValidation: true,
      skipMetadataApiCheck: "true",
      skipRequestingAccountId: true,
    });
    new DynamodbSchema(this, id, false, [container]);
  }
}

const outdir = process.argv[2];
const app = new App(outdir === undefined ? {} : { outdir });
new KiteStack(app, "kite", readConfig());
new LocalStack(app, "local");
app.synth();
