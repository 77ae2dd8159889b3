// The municipalities' service levels as the event intake grants measures under them today.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { PolicySource } from '../../policies/source';
import { needs } from '../access/guard';
import { catalogueAnswer, catalogueView } from '../catalogue';
import { commonAnswers, errorAnswer, type App } from '../schemas';

export interface CatalogueRoutesOptions {
  policies: PolicySource;
}

export const catalogueRoutes: FastifyPluginAsync<CatalogueRoutesOptions> = async (app, { policies }) => {
  const r = app as App;

  r.get('/v1/catalogue', {
    config: needs('signed-in'),
    schema: {
      description: 'The municipalities with a service level, and their measure-type slugs.',
      response: {
        200: z.array(
          z.object({
            municipality: z.string(),
            name: z.string(),
            version: z.number().int(),
            measureTypes: z.array(z.string()),
          }),
        ),
        401: commonAnswers[401],
        429: commonAnswers[429],
        500: commonAnswers[500],
      },
    },
    handler: async () =>
      (await policies.municipalities()).map((m) => ({
        municipality: m.municipality,
        name: m.name,
        version: m.version,
        measureTypes: m.measureTypes.map((t) => t.slug),
      })),
  });

  r.get('/v1/catalogue/:municipality', {
    config: needs('signed-in'),
    schema: {
      params: z.object({ municipality: z.string() }),
      response: {
        200: catalogueAnswer,
        404: errorAnswer.describe('No service level for this municipality'),
        ...commonAnswers,
      },
    },
    handler: async (req, reply) => {
      const m = await policies.municipality(req.params.municipality);
      if (!m)
        return reply
          .status(404)
          .send({ error: 'unknown-municipality', message: `no service level for ${req.params.municipality}` });
      return catalogueView(m);
    },
  });
};
