// `truststram catalog list|show`: the shipped price catalog, offline — instance types with
// on-demand and spot prices per provider and region, and where every figure comes from.
import type { Command } from 'commander';
import { NotFoundError, ValidationError } from '../../api/index.js';
import type { InstancePrice } from '../../cost/catalog/contract.js';
import { loadCost } from '../components.js';
import type { CliContext } from '../context.js';
import { formatTable, toJson, toYaml } from '../output.js';

const usd = (v: number | undefined) => (v === undefined ? '-' : `$${v.toFixed(4)}`);

function format(v: string): 'table' | 'json' | 'yaml' {
  if (v === 'table' || v === 'json' || v === 'yaml') return v;
  throw new ValidationError(`unknown output format "${v}"`, [{ field: '--output', message: 'expected table, json or yaml' }]);
}

export function registerCatalog(program: Command, ctx: CliContext): void {
  const catalog = program.command('catalog').description('Browse the price catalog shipped with TrustStram (offline)');

  catalog
    .command('list')
    .description('List instance types with vCPU, memory and hourly on-demand and spot prices')
    .option('--provider <provider>', 'aws, azure or gcp')
    .option('--region <region>', 'a provider region, e.g. eu-west-1, westeurope, europe-west1')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .addHelpText('after', '\nExample:\n  truststram catalog list --provider aws --region eu-central-1')
    .action(async (opts: { provider?: string; region?: string; output: string }) => {
      const fmt = format(opts.output);
      const cat = (await loadCost()).defaultCatalog();
      const items = cat.instances({ ...(opts.provider ? { provider: opts.provider } : {}), ...(opts.region ? { region: opts.region } : {}) });
      if (fmt === 'json') return void ctx.stdout.write(toJson({ meta: cat.meta, items }));
      if (fmt === 'yaml') return void ctx.stdout.write(toYaml({ meta: cat.meta, items }));
      if (!items.length) {
        ctx.stderr.write(`No instance types found${opts.provider ? ` for provider ${opts.provider}` : ''}${opts.region ? ` in region ${opts.region}` : ''}. Run "truststram catalog list" for every priced region.\n`);
        return;
      }
      const rows = items.map((i) => [i.provider, i.region, i.instanceType, String(i.vcpu), `${i.memoryGiB}Gi`, usd(i.onDemandHourly), usd(i.spotHourly)]);
      ctx.stdout.write(formatTable(['PROVIDER', 'REGION', 'INSTANCE-TYPE', 'VCPU', 'MEMORY', 'ON-DEMAND/H', 'SPOT/H'], rows));
      ctx.stdout.write(`\n${items.length} instance types; catalog ${cat.meta.version} as of ${cat.meta.asOf}\n`);
    });

  catalog
    .command('import')
    .description('Validate a newer price file (CSV with the shipped columns) and show how to use it')
    .argument('<file>', 'CSV: provider,region,instance_type,vcpu,memory_gib,ondemand_usd_per_hour,spot_usd_per_hour,source[,as_of]')
    .option('--read-on <date>', 'date the prices were read (YYYY-MM-DD), recorded as their as-of date')
    .addHelpText(
      'after',
      '\nEvery bad cell is reported with its line and column; nothing is used until the whole file is valid.\nThe server, schedule, cost and catalog commands then price with it when TRUSTSTRAM_PRICE_FILE names it:\n  truststram catalog import prices-2027-01.csv\n  TRUSTSTRAM_PRICE_FILE=prices-2027-01.csv truststram server',
    )
    .action(async (file: string, opts: { readOn?: string }) => {
      const { loadPriceFile, PRICE_FILE_ENV } = await import('../../cost/index.js');
      const cat = loadPriceFile(file, opts.readOn ? { readOn: opts.readOn } : {});
      const items = cat.instances();
      const regions = new Set(items.map((i) => `${i.provider}/${i.region}`));
      ctx.stdout.write(`${file}: valid — ${items.length} instance prices in ${regions.size} regions (${[...new Set(items.map((i) => i.provider))].sort().join(', ')}), version ${cat.meta.version}, as of ${cat.meta.asOf}\n`);
      ctx.stdout.write(`Use it:  ${PRICE_FILE_ENV}=${file} truststram server   (also schedule, cost, catalog)\n`);
    });

  catalog
    .command('show')
    .description('Show one instance type in one region, with the source and date of its prices')
    .argument('<type>', 'instance type, e.g. m6i.large, Standard_D2s_v5, n2-standard-2')
    .requiredOption('--region <region>', 'provider region')
    .option('--provider <provider>', 'aws, azure or gcp (found from the region when omitted)')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .addHelpText('after', '\nExample:\n  truststram catalog show m6i.large --region eu-west-1')
    .action(async (type: string, opts: { region: string; provider?: string; output: string }) => {
      const fmt = format(opts.output);
      const cat = (await loadCost()).defaultCatalog();
      const providers = opts.provider ? [opts.provider] : ['aws', 'azure', 'gcp'];
      const found: InstancePrice | undefined = providers.map((p) => cat.instance(p, opts.region, type)).find((x) => x !== undefined);
      if (!found)
        throw new NotFoundError(`instance type ${type} is not in the catalog for region ${opts.region}`, [
          { field: 'type', message: `unknown instance type "${type}" in ${opts.provider ? `${opts.provider} ` : ''}region "${opts.region}": see truststram catalog list --region ${opts.region}` },
        ]);
      if (fmt === 'json') return void ctx.stdout.write(toJson(found));
      if (fmt === 'yaml') return void ctx.stdout.write(toYaml(found));
      const per = (v: number | undefined, n: number) => (v === undefined ? '-' : `$${(v / n).toFixed(5)}`);
      ctx.stdout.write(
        [
          `Instance type:   ${found.instanceType}`,
          `Provider:        ${found.provider}`,
          `Region:          ${found.region}`,
          `vCPU:            ${found.vcpu}`,
          `Memory:          ${found.memoryGiB} GiB`,
          `On-demand:       ${usd(found.onDemandHourly)}/hour  ($${(found.onDemandHourly * 730).toFixed(2)}/month, ${per(found.onDemandHourly, found.vcpu)}/vCPU-hour)`,
          `Spot:            ${found.spotHourly === undefined ? 'no trustworthy figure' : `${usd(found.spotHourly)}/hour  (${Math.round((1 - found.spotHourly / found.onDemandHourly) * 100)}% below on-demand)`}`,
          `Source:          ${found.source}`,
          `As of:           ${found.asOf}`,
        ].join('\n') + '\n',
      );
    });
}
