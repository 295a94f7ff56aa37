import { Type } from 'typebox';

export const MeSchema = Type.Object({
  organisation: Type.Object({
    id: Type.String({ format: 'uuid' }),
    slug: Type.String(),
    name: Type.String(),
  }),
  token: Type.Object({
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
  }),
  scopes: Type.Array(Type.Union([Type.Literal('read'), Type.Literal('write')])),
});
