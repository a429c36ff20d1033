// A generated stack for measuring synthesis at scale, the cdktf twin of
// kite's examples/scale.rs (examples/support/scale_stack.rs): N DynamoDB
// tables, each with an attribute, a TTL block, point-in-time recovery and
// tags, and for each table an inline policy that references its ARN (2N
// resources, N references).
//
//   npx tsc && node dist/scale.js N [OUT_DIR]    # OUT_DIR: cdktf.out

import { Construct } from "constructs";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";

class ScaleStack extends TerraformStack {
  constructor(scope: Construct, id: string, tables: number) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: "eu-north-1" });
    new LocalBackend(this, { path: "terraform.scale.tfstate" });
    for (let i = 0; i < tables; i++) {
      const scope = new Construct(this, `t${i}`);
      const table = new DynamodbTable(scope, "table", {
        name: `scale.Table${i}`,
        billingMode: "PAY_PER_REQUEST",
        hashKey: "id",
        attribute: [{ name: "id", type: "S" }],
        ttl: { attributeName: "expires", enabled: true },
        pointInTimeRecovery: { enabled: true },
        tags: { app: "scale", index: `${i}` },
      });
      new IamRolePolicy(scope, "read", {
        name: `read-table-${i}`,
        role: "scale-role",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["dynamodb:GetItem", "dynamodb:Query"],
              Resource: table.arn,
            },
          ],
        }),
      });
    }
  }
}

const [n, outdir] = process.argv.slice(2);
const tables = Number(n);
if (n === undefined || !Number.isInteger(tables) || tables < 0) {
  console.error(
    "usage: node dist/scale.js N [OUT_DIR]  (N tables and N policies, written to OUT_DIR, default cdktf.out)",
  );
  process.exit(2);
}
const app = new App({ outdir: outdir ?? "cdktf.out" });
new ScaleStack(app, "scale", tables);
app.synth();
