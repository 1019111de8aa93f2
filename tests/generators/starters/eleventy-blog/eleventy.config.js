// A small Eleventy blog in the style of the official starter (11ty/eleventy-base-blog): the same
// official plugins (feed, syntax highlight, navigation, HTML base, id attributes), posts under
// /blog/, tag pages under /tags/, an Atom feed at /feed/feed.xml, a sitemap, days shown in UTC, and
// plain markup without <article>, og:type or JSON-LD. Written for this project (see README.md).
// tests/generators/eleventy.py copies this folder, adds the posts, the About page and
// _data/metadata.json, and runs Eleventy on it.
import { IdAttributePlugin, InputPathToUrlTransformPlugin, HtmlBasePlugin } from "@11ty/eleventy";
import { feedPlugin } from "@11ty/eleventy-plugin-rss";
import pluginSyntaxHighlight from "@11ty/eleventy-plugin-syntaxhighlight";
import pluginNavigation from "@11ty/eleventy-navigation";
import { DateTime } from "luxon";
import { readFileSync } from "node:fs";

const site = JSON.parse(readFileSync(new URL("./_data/metadata.json", import.meta.url)));
const utc = (when) => DateTime.fromJSDate(when, { zone: "utc" });

export default function (eleventyConfig) {
	eleventyConfig.addPassthroughCopy({ "./public/": "/" });
	eleventyConfig.addPlugin(pluginSyntaxHighlight);
	eleventyConfig.addPlugin(pluginNavigation);
	eleventyConfig.addPlugin(HtmlBasePlugin);
	eleventyConfig.addPlugin(InputPathToUrlTransformPlugin);
	eleventyConfig.addPlugin(IdAttributePlugin);
	eleventyConfig.addPlugin(feedPlugin, {
		type: "atom",
		outputPath: "/feed/feed.xml",
		collection: { name: "posts", limit: 20 },
		metadata: {
			language: site.language,
			title: site.title,
			subtitle: site.description,
			base: site.url,
			author: { name: site.author.name },
		},
	});
	eleventyConfig.addFilter("isoDay", (when) => utc(when).toISODate());
	eleventyConfig.addFilter("longDay", (when) => utc(when).toFormat("d LLLL yyyy"));
	eleventyConfig.addFilter("withoutCollections", (tags) => (tags || []).filter((tag) => tag !== "posts"));
	eleventyConfig.addFilter("newestFirst", (items) => [...(items || [])].reverse());
	eleventyConfig.addFilter("first", (items, count) => items.slice(0, count));
	// Eleventy's slugify drops letters outside the Latin script ("日本" gives ""): such a tag keeps
	// its own name in its address instead of colliding with /tags/.
	eleventyConfig.addFilter("tagSlug", (tag) => eleventyConfig.getFilter("slugify")(tag) || tag);
}

export const config = {
	templateFormats: ["md", "njk"],
	markdownTemplateEngine: "njk",
	dir: { input: "content", includes: "../_includes", data: "../_data", output: "_site" },
};
