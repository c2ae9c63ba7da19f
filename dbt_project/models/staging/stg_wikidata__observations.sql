{{ stage_observations('wikidata_observations') }}
